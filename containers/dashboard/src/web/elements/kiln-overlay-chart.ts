import { html, LitElement, nothing, type PropertyValues } from 'lit';
import { customElement, property, query } from 'lit/decorators.js';
import type uPlot from 'uplot';
import { StepChart, stepChartStyles } from '../charts/step-chart.js';
import { formatNumber } from '../model/format.js';
import { alignSeries } from '../model/overlay-series.js';
import type { OverlayLine } from '../model/variant-comparison.js';

const HEIGHT = 240;
/** How many of the last steps the accessible table lists. */
const TABLE_POINTS = 50;
/** Distinct on white (each at least 4.5:1), told apart by their dashes too. */
const COLOURS = [
  '#0b5cad',
  '#b54708',
  '#1a7f37',
  '#8250df',
  '#cf222e',
  '#0e7490',
  '#7d4e00',
  '#bf3989',
];
const DASHES: number[][] = [[], [8, 4], [2, 3], [10, 3, 2, 3]];

/**
 * One series metric of several artifacts on one chart: a line per variant of a sweep, each its
 * own colour and dash, named in the legend. New points redraw it in place; new lines draw it
 * anew. A table of the last steps carries the same values for screen readers and keyboards.
 */
@customElement('kiln-overlay-chart')
export class KilnOverlayChart extends LitElement {
  static override styles = stepChartStyles(HEIGHT);

  /** Reflected, so a page (or a test) can find a metric's chart by name. */
  @property({ reflect: true }) metric = '';
  /** The caption; the metric's name when empty. */
  @property() heading = '';
  /** One line per variant, with its points. */
  @property({ attribute: false }) lines: OverlayLine[] = [];

  @query('.plot') private _plotHost!: HTMLDivElement;

  readonly #chart = new StepChart(HEIGHT);

  override connectedCallback(): void {
    super.connectedCallback();
    // moved in the page (a keyed list reorders by removing and inserting): draw again
    if (this.hasUpdated && !this.#chart.drawn) void this.#draw();
  }

  override willUpdate(changed: PropertyValues<this>): void {
    // another metric, or other lines, is a new chart rather than new points
    const labels = (lines: OverlayLine[] | undefined): string =>
      (lines ?? []).map((line) => line.label).join(',');
    if (
      changed.has('metric') ||
      (changed.has('lines') && labels(changed.get('lines')) !== labels(this.lines))
    )
      this.#chart.destroy();
  }

  override updated(changed: PropertyValues<this>): void {
    if (changed.has('lines') || changed.has('metric')) void this.#draw();
  }

  override disconnectedCallback(): void {
    this.#chart.destroy();
    super.disconnectedCallback();
  }

  override render() {
    const series = this.lines.map((line) => line.points);
    const [steps = [], ...columns] = alignSeries(series);
    const caption = this.heading || this.metric;
    const drawn = series.filter((points) => points.length > 0).length;
    return html`<figure>
      <figcaption id="caption">
        ${caption}
        <span class="muted"
          >(${drawn} of ${this.lines.length} ${this.lines.length === 1 ? 'line' : 'lines'})</span
        >
      </figcaption>
      <div
        class="plot"
        role="img"
        aria-labelledby="caption"
        data-lines=${drawn}
        data-points=${series.reduce((sum, points) => sum + points.length, 0)}
      ></div>
      ${
        steps.length > 0
          ? html`<details>
              <summary>Values of ${caption}</summary>
              <div class="table-wrap">
                <table>
                  <thead>
                    <tr>
                      <th scope="col" class="num">Step</th>
                      ${this.lines.map((line) => html`<th scope="col" class="num">${line.label}</th>`)}
                    </tr>
                  </thead>
                  <tbody>
                    ${steps.slice(-TABLE_POINTS).map((step, row) => {
                      const at = steps.length - Math.min(steps.length, TABLE_POINTS) + row;
                      return html`<tr>
                        <td class="num">${step}</td>
                        ${columns.map((column) => {
                          const value = column[at];
                          return html`<td class="num">
                            ${typeof value === 'number' ? formatNumber(value) : '–'}
                          </td>`;
                        })}
                      </tr>`;
                    })}
                  </tbody>
                </table>
              </div>
            </details>`
          : nothing
      }
    </figure>`;
  }

  async #draw(): Promise<void> {
    await this.updateComplete;
    const series = this.lines.map((line) => line.points);
    const longest = Math.max(0, ...series.map((points) => points.length));
    this.#chart.draw(
      this._plotHost,
      this.lines.map((line, i) => ({
        label: line.label,
        stroke: COLOURS[i % COLOURS.length],
        dash: DASHES[i % DASHES.length],
        width: 2,
        spanGaps: true,
        points: { show: longest <= 60 },
      })),
      alignSeries(series) as uPlot.AlignedData,
    );
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'kiln-overlay-chart': KilnOverlayChart;
  }
}
