import { consume } from '@lit/context';
import { initialState, Task } from '@lit/task';
import { css, html, LitElement, nothing, type TemplateResult } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { apiContext } from '../api/api-context.js';
import { describeError } from '../api/api-error.js';
import type { KilnApi } from '../api/kiln-api.js';
import { refChanged, type ArtifactRef } from '../model/artifact-ref.js';
import { formatNumber } from '../model/format.js';
import { asConfusionMatrix, columnsOf, isRecordList, isScalar } from '../model/report-shape.js';
import { sharedStyles } from '../styles/shared-styles.js';
import './kiln-confusion-matrix.js';

/** How deep nested objects are laid out as tables before falling back to JSON text. */
const MAX_DEPTH = 3;

/**
 * A report metric (its `json` view) as tables: scalars as name/value rows, lists of records as
 * a table with a column per key, nested objects as sub-tables, and any confusion matrix
 * (`{labels, matrix}`) as a heat map. Bump `revision` to fetch it again.
 */
@customElement('kiln-report-view')
export class KilnReportView extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      .block {
        margin: 0.5rem 0 1rem;
      }
      h4 {
        margin: 0.75rem 0 0.35rem;
        font-size: 1rem;
      }
      pre {
        white-space: pre-wrap;
        margin: 0;
      }
    `,
  ];

  @property({ attribute: false, hasChanged: refChanged }) ref: ArtifactRef | undefined;
  @property() metric = '';
  @property({ type: Number }) revision = 0;

  @consume({ context: apiContext }) private _api!: KilnApi;

  private _report = new Task(this, {
    task: ([ref, metric], { signal }) =>
      ref
        ? this._api.report(ref.container, ref.collection, ref.artifact, metric, signal)
        : initialState,
    args: () => [this.ref, this.metric, this.revision] as const,
  });

  override render() {
    // keep showing the last report while a newer one loads
    if (this._report.value !== undefined)
      return this._renderValue(this.metric, this._report.value, 0);
    return this._report.render({
      pending: () => html`<p class="muted">Loading ${this.metric}…</p>`,
      error: (error) =>
        html`<p class="error-box">Could not load ${this.metric}: ${describeError(error)}</p>`,
    });
  }

  private _renderValue(title: string, value: unknown, depth: number): TemplateResult {
    const matrix = asConfusionMatrix(value);
    if (matrix) {
      return html`<div class="block">
        <kiln-confusion-matrix .data=${matrix} caption=${title}></kiln-confusion-matrix>
      </div>`;
    }
    if (isRecordList(value)) return this._renderRecordList(title, value);
    if (typeof value === 'object' && value !== null && !Array.isArray(value) && depth < MAX_DEPTH) {
      return this._renderObject(title, value as Record<string, unknown>, depth);
    }
    return html`<div class="block">
      <h4>${title}</h4>
      ${this._cell(value)}
    </div>`;
  }

  private _renderObject(
    title: string,
    value: Record<string, unknown>,
    depth: number,
  ): TemplateResult {
    const entries = Object.entries(value);
    const scalars = entries.filter(
      ([, v]) => isScalar(v) || (Array.isArray(v) && v.every(isScalar)),
    );
    const nested = entries.filter((entry) => !scalars.includes(entry));
    return html`<div class="block">
      ${
        scalars.length > 0
          ? html`<div class="table-wrap">
              <table>
                <caption>
                  ${title}
                </caption>
                <tbody>
                  ${scalars.map(
                    ([key, v]) =>
                      html`<tr>
                        <th scope="row">${key}</th>
                        <td class="num">${this._cell(v)}</td>
                      </tr>`,
                  )}
                </tbody>
              </table>
            </div>`
          : html`<h4>${title}</h4>`
      }
      ${nested.map(([key, v]) => this._renderValue(`${title} › ${key}`, v, depth + 1))}
    </div>`;
  }

  private _renderRecordList(title: string, rows: Record<string, unknown>[]): TemplateResult {
    const columns = columnsOf(rows);
    return html`<div class="block table-wrap">
      <table>
        <caption>
          ${title}
        </caption>
        <thead>
          <tr>
            ${columns.map((column) => html`<th scope="col">${column}</th>`)}
          </tr>
        </thead>
        <tbody>
          ${rows.map(
            (row) =>
              html`<tr>
                ${columns.map((column) => html`<td>${this._cell(row[column])}</td>`)}
              </tr>`,
          )}
        </tbody>
      </table>
    </div>`;
  }

  private _cell(value: unknown): TemplateResult | string | typeof nothing {
    if (value === undefined) return nothing;
    if (typeof value === 'number') return formatNumber(value);
    if (isScalar(value)) return String(value);
    if (Array.isArray(value) && value.every(isScalar))
      return value.map((v) => (typeof v === 'number' ? formatNumber(v) : String(v))).join(', ');
    return html`<pre>${JSON.stringify(value, null, 2)}</pre>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'kiln-report-view': KilnReportView;
  }
}
