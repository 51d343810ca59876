import { css, unsafeCSS, type CSSResultGroup } from 'lit';
import uPlot from 'uplot';
import uPlotCss from 'uplot/dist/uPlot.min.css';
import { sharedStyles } from '../styles/shared-styles.js';

/** Steps are whole numbers: ticks only at these spacings, never between two steps. */
const STEP_TICKS = [
  1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 1e4, 2e4, 5e4, 1e5, 2e5, 5e5,
  1e6,
];
/** The narrowest a chart is drawn, however narrow its host. */
const MIN_WIDTH = 200;

/** The styles of an element that shows a {@link StepChart} in `.plot`, `height` pixels tall. */
export function stepChartStyles(height: number): CSSResultGroup {
  return [
    sharedStyles,
    unsafeCSS(uPlotCss),
    css`
      figure {
        margin: 0;
      }
      figcaption {
        font-weight: 600;
        margin-bottom: 0.25rem;
      }
      .plot {
        min-height: ${height}px;
        width: 100%;
      }
      details {
        margin-top: 0.25rem;
        font-size: 0.85rem;
      }
      .table-wrap {
        max-height: 16rem;
      }
    `,
  ];
}

/**
 * A uPlot chart of values by step in a host element, as the metric charts draw them: x is the
 * step, lines are the `series` given; it follows its host's width. New data for the same series
 * redraws in place; other series draw it anew.
 */
export class StepChart {
  readonly #height: number;
  #plot: uPlot | undefined;
  #resize: ResizeObserver | undefined;

  constructor(height: number) {
    this.#height = height;
  }

  /** Whether a chart is drawn (it is not before the first draw, nor after `destroy`). */
  get drawn(): boolean {
    return this.#plot !== undefined;
  }

  /** Draws `data` (steps, then one column per series) with `series` in `host`. */
  draw(host: HTMLElement, series: uPlot.Series[], data: uPlot.AlignedData): void {
    if (this.#plot && this.#plot.series.length === series.length + 1) {
      this.#plot.setData(data);
      return;
    }
    this.destroy();
    const height = this.#height;
    this.#plot = new uPlot(
      {
        width: Math.max(MIN_WIDTH, host.clientWidth),
        height,
        // one point (or one step) would get a 0–100 axis: centre it instead
        scales: {
          x: {
            time: false,
            range: (_u, min, max) => (min === max ? [min - 1, max + 1] : [min, max]),
          },
        },
        axes: [{ label: 'step', incrs: STEP_TICKS }, {}],
        series: [{ label: 'step' }, ...series],
        legend: { live: true },
      },
      data,
      host,
    );
    this.#resize = new ResizeObserver(() => {
      const next = Math.max(MIN_WIDTH, host.clientWidth);
      if (this.#plot && Math.abs(next - this.#plot.width) > 4)
        this.#plot.setSize({ width: next, height });
    });
    this.#resize.observe(host);
  }

  /** Removes the chart (the element left the page, or shows another metric). */
  destroy(): void {
    this.#resize?.disconnect();
    this.#resize = undefined;
    this.#plot?.destroy();
    this.#plot = undefined;
  }
}
