import type { MetricInfo, RunVariants, StepInfo } from '@kiln/api';
import { consume } from '@lit/context';
import { Task } from '@lit/task';
import { css, html, LitElement, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import { apiContext } from '../api/api-context.js';
import { describeError } from '../api/api-error.js';
import type { KilnApi } from '../api/kiln-api.js';
import {
  curvesOnly,
  overlaySpecs,
  variantStep,
  type OverlayChart,
  type OverlaySpec,
} from '../model/variant-comparison.js';
import { sharedStyles } from '../styles/shared-styles.js';
import './kiln-overlay-chart.js';

/**
 * A sweep's curves overlaid: for each series metric of the variants' steps (the train step's
 * `loss`, `accuracy`, …), one chart with a line per variant. The listings and points are fetched
 * again whenever `revision` changes, so lines appear and grow while the sweep runs. A series
 * with a single point per variant (a benchmark's figure) is left to the table.
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

  private _charts = new Task(this, {
    task: async (
      [variants, steps]: [RunVariants | undefined, StepInfo[], number],
      { signal },
    ): Promise<OverlayChart[]> => {
      if (!variants) return [];
      const specs = overlaySpecs(variants, steps, await this.#listings(variants, steps, signal));
      return curvesOnly(await Promise.all(specs.map((spec) => this.#points(spec, signal))));
    },
    args: () =>
      [this.variants, this.steps, this.revision] as [RunVariants | undefined, StepInfo[], number],
  });

  override render() {
    const charts = this._charts.value ?? [];
    const steps = new Set(charts.map((chart) => chart.step));
    return html`
      ${this._charts.render({
        error: (error) =>
          html`<p class="error-box">
            Could not load the variants' curves: ${describeError(error)}
          </p>`,
      })}
      ${
        charts.length === 0 && this._charts.value
          ? html`<p class="muted">
              No curves yet: they appear as the variants' steps report them.
            </p>`
          : nothing
      }
      <div class="charts">
        ${repeat(
          charts,
          (chart) => `${chart.step}/${chart.metric}`,
          (chart) =>
            html`<kiln-overlay-chart
              .metric=${chart.metric}
              .heading=${steps.size > 1 ? `${chart.step} · ${chart.metric}` : chart.metric}
              .lines=${chart.lines}
            ></kiln-overlay-chart>`,
        )}
      </div>
    `;
  }

  /** Each variant step's metric listing, by its name in the run. */
  async #listings(
    variants: RunVariants,
    steps: readonly StepInfo[],
    signal: AbortSignal,
  ): Promise<Map<string, MetricInfo[]>> {
    const located = variants.results.flatMap((result) =>
      Object.keys(result.steps)
        .map((given) => variantStep(result, given, steps))
        .filter((step): step is StepInfo => step !== undefined),
    );
    // A step just created may not answer yet: it is left out until the next revision.
    const listings = await Promise.allSettled(
      located.map((step) => this._api.metrics(step.container, 'artifacts', step.artifact, signal)),
    );
    const byStep = new Map<string, MetricInfo[]>();
    listings.forEach((listing, i) => {
      if (listing.status === 'fulfilled') byStep.set(located[i]!.step, listing.value);
    });
    return byStep;
  }

  /** One chart's lines with their points. */
  async #points(spec: OverlaySpec, signal: AbortSignal): Promise<OverlayChart> {
    const lines = await Promise.all(
      spec.lines.map(async (line) => ({
        label: line.label,
        points: await this._api.series(
          line.container,
          'artifacts',
          line.artifact,
          spec.metric,
          signal,
        ),
      })),
    );
    return { step: spec.step, metric: spec.metric, lines };
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'kiln-variant-curves': KilnVariantCurves;
  }
}
