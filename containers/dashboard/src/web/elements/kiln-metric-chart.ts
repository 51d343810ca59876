import type { MetricPoint } from '@kiln/api';
import { consume } from '@lit/context';
import { initialState, Task } from '@lit/task';
import { html, LitElement, nothing, type PropertyValues } from 'lit';
import { customElement, property, query } from 'lit/decorators.js';
import { apiContext } from '../api/api-context.js';
import { describeError } from '../api/api-error.js';
import type { KilnApi } from '../api/kiln-api.js';
import { refChanged, type ArtifactRef } from '../model/artifact-ref.js';
import { StepChart, stepChartStyles } from '../charts/step-chart.js';
import { formatNumber } from '../model/format.js';

/** How many of the last points the accessible table lists. */
const TABLE_POINTS = 50;
const HEIGHT = 220;

/**
 * A series metric as a uPlot line chart (value by step). The parent bumps `revision` when the
 * artifact changes (a live event), and the chart fetches the points again and redraws in
 * place. Beside the canvas, a text summary and a table of the last points carry the same
 * data for screen readers and keyboards.
 */
@customElement('kiln-metric-chart')
export class KilnMetricChart extends LitElement {
  static override styles = stepChartStyles(HEIGHT);

  @property({ attribute: false, hasChanged: refChanged }) ref: ArtifactRef | undefined;
  /** Reflected, so a page (or a test) can find a metric's chart by name. */
  @property({ reflect: true }) metric = '';
  /** Change it to fetch the points again. */
  @property({ type: Number }) revision = 0;

  @consume({ context: apiContext }) private _api!: KilnApi;

  @query('.plot') private _plotHost!: HTMLDivElement;

  readonly #chart = new StepChart(HEIGHT);

  private _points = new Task(this, {
    task: ([ref, metric], { signal }) =>
      ref
        ? this._api.series(ref.container, ref.collection, ref.artifact, metric, signal)
        : initialState,
    args: () => [this.ref, this.metric, this.revision] as const,
    onComplete: (points) => void this.#draw(points),
  });

  override connectedCallback(): void {
    super.connectedCallback();
    // moved in the page (a keyed list reorders by removing and inserting): draw again
    if (this._points.value && !this.#chart.drawn) void this.#draw(this._points.value);
  }

  override willUpdate(changed: PropertyValues<this>): void {
    // another metric (or artifact) is a new chart, not new data for this one
    if (changed.has('metric') || changed.has('ref')) this.#chart.destroy();
  }

  override disconnectedCallback(): void {
    this.#chart.destroy();
    super.disconnectedCallback();
  }

  override render() {
    const points = this._points.value ?? [];
    const last = points.at(-1);
    const summary = last
      ? `${points.length} ${points.length === 1 ? 'point' : 'points'}; last value ${formatNumber(last.value)} at step ${last.step}`
      : 'no points yet';
    return html`<figure>
      <figcaption id="caption">${this.metric} <span class="muted">(${summary})</span></figcaption>
      <div class="plot" role="img" aria-labelledby="caption" data-points=${points.length}></div>
      ${this._points.render({
        error: (error) =>
          html`<p class="error-box">Could not load ${this.metric}: ${describeError(error)}</p>`,
      })}
      ${
        points.length > 0
          ? html`<details>
              <summary>Values of ${this.metric}</summary>
              <div class="table-wrap">
                <table>
                  <thead>
                    <tr>
                      <th scope="col" class="num">Step</th>
                      <th scope="col" class="num">Value</th>
                    </tr>
                  </thead>
                  <tbody>
                    ${points.slice(-TABLE_POINTS).map(
                      (point) =>
                        html`<tr>
                          <td class="num">${point.step}</td>
                          <td class="num">${formatNumber(point.value)}</td>
                        </tr>`,
                    )}
                  </tbody>
                </table>
              </div>
            </details>`
          : nothing
      }
    </figure>`;
  }

  async #draw(points: MetricPoint[]): Promise<void> {
    await this.updateComplete;
    this.#chart.draw(
      this._plotHost,
      [{ label: this.metric, stroke: '#0b5cad', width: 2, points: { show: points.length <= 60 } }],
      [points.map((p) => p.step), points.map((p) => p.value)],
    );
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'kiln-metric-chart': KilnMetricChart;
  }
}
