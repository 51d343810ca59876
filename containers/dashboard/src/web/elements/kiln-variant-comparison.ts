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
      .best {
        background: #dafbe1;
      }
      thead th.best {
        font-weight: 700;
      }
      th {
        white-space: nowrap;
      }
      td.reason {
        max-width: 18rem;
        vertical-align: top;
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
          ${this._renderTable(variants)}
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

  /**
   * One column per variant, side by side: its state, parameters, figures (the metric first) and
   * artifacts. A variant that failed shows its reason across its figures.
   */
  private _renderTable(variants: RunVariants) {
    const figures = comparedFigures(variants);
    const results = variants.results;
    const cell = (result: VariantResult, content: unknown, className = '') =>
      html`<td
        class=${`${className} ${result.name === variants.best ? 'best' : ''}`}
        data-variant=${result.name}
      >
        ${content}
      </td>`;
    return html`<thead>
        <tr>
          <th scope="col">Variant</th>
          ${results.map(
            (result) =>
              html`<th
                scope="col"
                class=${result.name === variants.best ? 'best' : ''}
                data-variant=${result.name}
              >
                ${result.name}${result.name === variants.best ? html`<span class="best-mark">best</span>` : nothing}
              </th>`,
          )}
        </tr>
      </thead>
      <tbody>
        <tr>
          <th scope="row">State</th>
          ${results.map((result) =>
            cell(result, html`<kiln-status-badge status=${result.status}></kiln-status-badge>`),
          )}
        </tr>
        <tr>
          <th scope="row">Parameters</th>
          ${results.map((result) => cell(result, formatParameters(result.parameters), 'parameters'))}
        </tr>
        ${figures.map(
          (figure, row) =>
            html`<tr>
              <th scope="row">${figure}</th>
              ${results.map((result) => this._renderFigure(result, figure, row, figures.length, cell))}
            </tr>`,
        )}
        <tr>
          <th scope="row">Artifacts</th>
          ${results.map((result) => cell(result, this._renderLinks(result), 'links'))}
        </tr>
      </tbody>`;
  }

  private _renderFigure(
    result: VariantResult,
    figure: string,
    row: number,
    rows: number,
    cell: (result: VariantResult, content: unknown, className?: string) => unknown,
  ) {
    if (result.status === 'failed' || result.status === 'cancelled') {
      if (row > 0) return nothing;
      return html`<td class="reason" rowspan=${rows} data-variant=${result.name}>
        ${result.error ?? result.status}
      </td>`;
    }
    const value = result.figures?.[figure];
    return cell(result, typeof value === 'number' ? formatNumber(value) : '–', 'num');
  }

  private _renderLinks(result: VariantResult) {
    return Object.keys(result.steps).map((given) => {
      const step = variantStep(result, given, this.steps);
      return step
        ? html`<a
            href=${href.artifact(step.container, step.artifact)}
            aria-label=${`${given} of ${result.name}`}
            >${given}</a
          >`
        : nothing;
    });
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'kiln-variant-comparison': KilnVariantComparison;
  }
}
