import type { RunVariants, StepInfo, VariantResult } from '@kiln/api';
import { consume } from '@lit/context';
import { Task } from '@lit/task';
import { css, html, LitElement, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { apiContext } from '../api/api-context.js';
import { ApiError, describeError } from '../api/api-error.js';
import type { KilnApi } from '../api/kiln-api.js';
import { formatNumber } from '../model/format.js';
import { comparedFigures, formatParameters, variantStep } from '../model/variant-comparison.js';
import { href } from '../router/route.js';
import { sharedStyles } from '../styles/shared-styles.js';
import './kiln-status-badge.js';
import './kiln-variant-curves.js';

/**
 * The variants of a run's sweep side by side: a table of their figures (the sweep's metric
 * first; the best variant marked, failed ones with their reason) and their curves overlaid.
 * Renders nothing for a run that swept no variants. Bump `revision` to fetch it again: the run
 * page does on every change of the run or its steps, so it is live while the sweep runs.
 */
@customElement('kiln-variant-comparison')
export class KilnVariantComparison extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      tr.best > * {
        background: #dafbe1;
      }
      tr.best th {
        font-weight: 700;
      }
      tbody th {
        white-space: nowrap;
      }
      .best-mark {
        display: inline-block;
        margin-left: 0.35rem;
        padding: 0 0.4rem;
        border: 1px solid #116329;
        border-radius: 999px;
        color: #116329;
        font-size: 0.75rem;
        font-weight: 600;
      }
      td.reason {
        color: #a40e26;
        overflow-wrap: anywhere;
      }
      td.parameters {
        font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
        font-size: 0.8rem;
      }
      .links a + a {
        margin-left: 0.5rem;
      }
      h4 {
        margin: 1.25rem 0 0.5rem;
        font-size: 1rem;
      }
    `,
  ];

  @property() pipeline = '';
  @property() run = '';
  /** The run's steps, to link each variant's artifacts and find its curves. */
  @property({ attribute: false }) steps: StepInfo[] = [];
  /** Change it to fetch the comparison again. */
  @property({ type: Number }) revision = 0;

  @consume({ context: apiContext }) private _api!: KilnApi;

  private _variants = new Task(this, {
    task: async ([pipeline, run]: [string, string, number], { signal }) => {
      try {
        return await this._api.variants(pipeline, run, signal);
      } catch (error) {
        // A pipeline that does not serve the extension has no sweep to show.
        if (error instanceof ApiError && error.code === 'ROUTE_NOT_FOUND') return null;
        throw error;
      }
    },
    args: () => [this.pipeline, this.run, this.revision] as [string, string, number],
  });

  override render() {
    const variants = this._variants.value;
    return html`
      ${this._variants.render({
        error: (error) =>
          html`<p class="error-box" role="alert">
            Could not load the variants: ${describeError(error)}
          </p>`,
      })}
      ${variants ? this._renderComparison(variants) : nothing}
    `;
  }

  private _renderComparison(variants: RunVariants) {
    const figures = comparedFigures(variants);
    const direction = variants.goal === 'max' ? 'highest' : 'lowest';
    const done = variants.results.filter((r) => r.status !== 'in-progress').length;
    return html`<section aria-labelledby="variants-heading">
      <h3 id="variants-heading">Variants</h3>
      <p class="muted" role="status">
        ${done} of ${variants.results.length} variants ended;
        ${variants.best ? html`best by ${variants.metric}: <strong>${variants.best}</strong>` : `no best by ${variants.metric} yet`}${variants.failed.length > 0 ? `; failed: ${variants.failed.join(', ')}` : ''}.
      </p>
      <div class="table-wrap">
        <table>
          <caption>
            Variants compared by ${variants.metric} (${direction} is best)
          </caption>
          <thead>
            <tr>
              <th scope="col">Variant</th>
              <th scope="col">State</th>
              ${figures.map((figure) => html`<th scope="col" class="num">${figure}</th>`)}
              <th scope="col">Parameters</th>
              <th scope="col">Artifacts</th>
            </tr>
          </thead>
          <tbody>
            ${variants.results.map((result) =>
              this._renderRow(result, figures, result.name === variants.best),
            )}
          </tbody>
        </table>
      </div>
      <h4>Curves</h4>
      <kiln-variant-curves
        .variants=${variants}
        .steps=${this.steps}
        .revision=${this.revision}
      ></kiln-variant-curves>
    </section>`;
  }

  private _renderRow(result: VariantResult, figures: readonly string[], best: boolean) {
    const figureCells =
      result.status === 'failed' || result.status === 'cancelled'
        ? html`<td class="reason" colspan=${figures.length}>${result.error ?? result.status}</td>`
        : figures.map((figure) => {
            const value = result.figures?.[figure];
            return html`<td class="num">
              ${typeof value === 'number' ? formatNumber(value) : '–'}
            </td>`;
          });
    return html`<tr class=${best ? 'best' : ''} data-variant=${result.name}>
      <th scope="row">
        ${result.name}${best ? html`<span class="best-mark">best</span>` : nothing}
      </th>
      <td><kiln-status-badge status=${result.status}></kiln-status-badge></td>
      ${figureCells}
      <td class="parameters">${formatParameters(result.parameters)}</td>
      <td class="links">
        ${Object.keys(result.steps).map((given) => {
          const step = variantStep(result, given, this.steps);
          return step
            ? html`<a
                href=${href.artifact(step.container, step.artifact)}
                aria-label=${`${given} of ${result.name}`}
                >${given}</a
              >`
            : nothing;
        })}
      </td>
    </tr>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'kiln-variant-comparison': KilnVariantComparison;
  }
}
