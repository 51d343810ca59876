import type { MetricInfo, RunVariants, StepInfo } from '@kiln/api';
import { consume } from '@lit/context';
import { Task } from '@lit/task';
import { css, html, LitElement, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import { apiContext } from '../api/api-context.js';
import { describeError } from '../api/api-error.js';
import type { KilnApi } from '../api/kiln-api.js';
import { overlaySpecs, variantStep, type OverlaySpec } from '../model/variant-comparison.js';
import { sharedStyles } from '../styles/shared-styles.js';
import './kiln-overlay-chart.js';

/**
 * A sweep's curves overlaid: for each series metric of the variants' steps (the train step's
 * `loss`, `accuracy`, …), one chart with a line per variant. The variants' metric listings are
 * fetched again whenever `revision` changes, so lines appear and grow while the sweep runs.
 */
@customElement('kiln-variant-curves')
export class KilnVariantCurves extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      .charts {
        display: grid;
        gap: 1rem;
        grid-template-columns: repeat(auto-fill, minmax(min(100%, 28rem), 1fr));
      }
      .charts > * {
        min-width: 0;
      }
    `,
  ];

  @property({ attribute: false }) variants: RunVariants | undefined;
  /** The run's steps: where each variant's step artifact lives. */
  @property({ attribute: false }) steps: StepInfo[] = [];
  /** Change it to list the metrics, and fetch the points, again. */
  @property({ type: Number }) revision = 0;

  @consume({ context: apiContext }) private _api!: KilnApi;

  private _specs = new Task(this, {
    task: async (
      [variants, steps]: [RunVariants | undefined, StepInfo[], number],
      { signal },
    ): Promise<OverlaySpec[]> => {
      if (!variants) return [];
      const located = variants.results.flatMap((result) =>
        Object.keys(result.steps)
          .map((given) => variantStep(result, given, steps))
          .filter((step): step is StepInfo => step !== undefined),
      );
      // A step just created may not answer yet: it is left out until the next revision.
      const listings = await Promise.allSettled(
        located.map((step) =>
          this._api.metrics(step.container, 'artifacts', step.artifact, signal),
        ),
      );
      const byStep = new Map<string, MetricInfo[]>();
      listings.forEach((listing, i) => {
        if (listing.status === 'fulfilled') byStep.set(located[i]!.step, listing.value);
      });
      return overlaySpecs(variants, steps, byStep);
    },
    args: () =>
      [this.variants, this.steps, this.revision] as [RunVariants | undefined, StepInfo[], number],
  });

  override render() {
    const specs = this._specs.value ?? [];
    const steps = new Set(specs.map((spec) => spec.step));
    return html`
      ${this._specs.render({
        error: (error) =>
          html`<p class="error-box">
            Could not list the variants' curves: ${describeError(error)}
          </p>`,
      })}
      ${
        specs.length === 0 && this._specs.value
          ? html`<p class="muted">
              No curves yet: they appear as the variants' steps report them.
            </p>`
          : nothing
      }
      <div class="charts">
        ${repeat(
          specs,
          (spec) => `${spec.step}/${spec.metric}`,
          (spec) =>
            html`<kiln-overlay-chart
              .metric=${spec.metric}
              .heading=${steps.size > 1 ? `${spec.step} · ${spec.metric}` : spec.metric}
              .lines=${spec.lines}
              .revision=${this.revision}
            ></kiln-overlay-chart>`,
        )}
      </div>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'kiln-variant-curves': KilnVariantCurves;
  }
}
