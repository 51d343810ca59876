import { consume } from '@lit/context';
import { initialState, Task, TaskStatus } from '@lit/task';
import { css, html, LitElement, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import { apiContext } from '../api/api-context.js';
import { describeError } from '../api/api-error.js';
import type { KilnApi } from '../api/kiln-api.js';
import { refChanged, type ArtifactRef } from '../model/artifact-ref.js';
import { sharedStyles } from '../styles/shared-styles.js';
import './kiln-metric-chart.js';
import './kiln-report-view.js';

/**
 * Every metric of an artifact: each series as a chart, each report as tables (or a heat map).
 * The page bumps `revision` when the artifact moves; the list and every view then fetch again.
 */
@customElement('kiln-artifact-metrics')
export class KilnArtifactMetrics extends LitElement {
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

  @property({ attribute: false, hasChanged: refChanged }) ref: ArtifactRef | undefined;
  /** Change it to fetch the metrics again. */
  @property({ type: Number }) revision = 0;

  @consume({ context: apiContext }) private _api!: KilnApi;

  private _metrics = new Task(this, {
    task: ([ref], { signal }) =>
      ref ? this._api.metrics(ref.container, ref.collection, ref.artifact, signal) : initialState,
    args: () => [this.ref, this.revision] as const,
  });

  override render() {
    const { ref } = this;
    if (!ref) return nothing;
    const metrics = this._metrics.value ?? [];
    const series = metrics.filter((metric) => metric.kind === 'series');
    const reports = metrics.filter((metric) => metric.kind === 'report');
    return html`<section aria-labelledby="metrics-heading">
      <h3 id="metrics-heading">Metrics</h3>
      ${
        this._metrics.status === TaskStatus.ERROR
          ? html`<p class="error-box">
              Could not list the metrics: ${describeError(this._metrics.error)}
            </p>`
          : nothing
      }
      ${metrics.length === 0 && this._metrics.status === TaskStatus.COMPLETE ? html`<p class="muted">No metrics yet.</p>` : nothing}
      <div class="charts">
        ${repeat(
          series,
          (metric) => metric.name,
          (metric) =>
            html`<kiln-metric-chart
              .ref=${ref}
              .metric=${metric.name}
              .revision=${this.revision}
            ></kiln-metric-chart>`,
        )}
      </div>
      ${repeat(
        reports,
        (metric) => metric.name,
        (metric) =>
          html`<kiln-report-view
            .ref=${ref}
            .metric=${metric.name}
            .revision=${this.revision}
          ></kiln-report-view>`,
      )}
    </section>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'kiln-artifact-metrics': KilnArtifactMetrics;
  }
}
