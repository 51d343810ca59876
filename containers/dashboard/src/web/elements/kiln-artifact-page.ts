import {
  isFinalStatus,
  type ArtifactRecord,
  type ArtifactSummary,
  type MetricInfo,
} from '@kiln/api';
import { consume } from '@lit/context';
import { Task, TaskStatus } from '@lit/task';
import { css, html, LitElement, nothing, type PropertyValues } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import { apiContext } from '../api/api-context.js';
import { describeError } from '../api/api-error.js';
import type { KilnApi } from '../api/kiln-api.js';
import { artifactPath, type Collection } from '../api/paths.js';
import { ArtifactChangedEvent, LogAppendedEvent } from '../events/kiln-events.js';
import { formatDuration, formatPercent, formatTime } from '../model/format.js';
import { href } from '../router/route.js';
import { sharedStyles } from '../styles/shared-styles.js';
import './kiln-artifact-record.js';
import type { KilnConfirmDialog } from './kiln-confirm-dialog.js';
import './kiln-confirm-dialog.js';
import './kiln-log-view.js';
import './kiln-metric-chart.js';
import './kiln-report-view.js';
import './kiln-status-badge.js';

/** The least time between two refreshes of the metrics while an artifact is running. */
const METRICS_REFRESH_MS = 1000;

type Action = 'cancel' | 'delete';

/**
 * One artifact (or run): its state, its record (`kiln-artifact-record`: parameters, input
 * files, data files with download links), every metric (series as charts, reports as tables and heat maps) and its log, all kept live
 * from the container's `/events` and the followed log. Cancel and delete ask first.
 */
@customElement('kiln-artifact-page')
export class KilnArtifactPage extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      .title {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem 1rem;
        align-items: center;
        margin-bottom: 0.75rem;
      }
      .title h2 {
        margin: 0;
        overflow-wrap: anywhere;
      }
      .charts {
        display: grid;
        gap: 1rem;
        grid-template-columns: repeat(auto-fill, minmax(min(100%, 28rem), 1fr));
      }
      .charts > * {
        min-width: 0;
      }
      .error {
        color: #a40e26;
      }
      @media (max-width: 40rem) {
        dl.fields {
          grid-template-columns: 1fr;
        }
      }
    `,
  ];

  @property() container = '';
  @property() collection: Collection = 'artifacts';
  @property() artifact = '';
  /** Set when the page sits inside another view (a run), which gives the heading. */
  @property({ type: Boolean }) embedded = false;

  /** The newest summary from `/events`; newer than the record's once the artifact moves. */
  @state() private _live: ArtifactSummary | undefined;
  @state() private _metricsRevision = 0;
  @state() private _deleted = false;

  @consume({ context: apiContext }) private _api!: KilnApi;

  @query('kiln-confirm-dialog') private _confirm!: KilnConfirmDialog;

  #unsubscribe: (() => void) | undefined;
  #refreshTimer: ReturnType<typeof setTimeout> | undefined;
  #lastRefresh = 0;

  private _record = new Task(this, {
    task: ([container, collection, artifact]: [string, Collection, string], { signal }) =>
      this._api.record(container, collection, artifact, signal),
    args: () => [this.container, this.collection, this.artifact] as [string, Collection, string],
  });

  private _metrics = new Task(this, {
    task: ([container, collection, artifact]: [string, Collection, string], { signal }) =>
      this._api.metrics(container, collection, artifact, signal),
    args: () => [this.container, this.collection, this.artifact] as [string, Collection, string],
  });

  private _action = new Task(this, {
    task: async ([action]: [Action]) => {
      if (action === 'cancel')
        await this._api.cancel(this.container, this.collection, this.artifact);
      else {
        await this._api.remove(this.container, this.collection, this.artifact);
        this.#unsubscribe?.();
        this.#unsubscribe = undefined;
        this._deleted = true;
      }
      this.dispatchEvent(
        new ArtifactChangedEvent(
          action === 'cancel' ? 'cancelled' : 'deleted',
          this.container,
          this.artifact,
        ),
      );
    },
    autoRun: false,
  });

  override connectedCallback(): void {
    super.connectedCallback();
    this.addEventListener(LogAppendedEvent.eventName, this.#scheduleRefresh);
  }

  override disconnectedCallback(): void {
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    clearTimeout(this.#refreshTimer);
    this.removeEventListener(LogAppendedEvent.eventName, this.#scheduleRefresh);
    super.disconnectedCallback();
  }

  override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('container') || changed.has('artifact') || changed.has('collection')) {
      this._live = undefined;
      this._deleted = false;
      this.#subscribe();
      if (!this.embedded) document.title = `${this.artifact} · ${this.container} · Kiln`;
    }
  }

  override render() {
    if (this._deleted) {
      return html`<h2>${this.artifact}</h2>
        <p role="status">
          This artifact was deleted. <a href=${href.home()}>Back to the pipelines</a>.
        </p>`;
    }
    return html`
      ${
        this.embedded
          ? nothing
          : html`<nav aria-label="Breadcrumb" class="muted">
              <a href=${href.home()}>Pipelines</a> › ${this.container} ›
            </nav>`
      }
      ${this._record.render({
        pending: () =>
          this._record.value
            ? this._renderRecord(this._record.value)
            : html`<p class="muted" role="status">Loading ${this.artifact}…</p>`,
        error: (error) =>
          html`<h2>${this.artifact}</h2>
            <p class="error-box" role="alert">
              Could not load this artifact: ${describeError(error)}
            </p>`,
        complete: (record) => this._renderRecord(record),
      })}
      <kiln-confirm-dialog></kiln-confirm-dialog>
    `;
  }

  private _renderRecord(record: ArtifactRecord) {
    const summary = { ...record, ...this._live };
    const final = isFinalStatus(summary.status);
    return html`
      <div class="title">
        ${this.embedded ? html`<h3>Status</h3>` : html`<h2>${this.artifact}</h2>`}
        <kiln-status-badge status=${summary.status}></kiln-status-badge>
      </div>
      <div class="actions">
        ${final ? nothing : html`<button type="button" @click=${() => this._onAction('cancel')}>Cancel</button>`}
        <button type="button" class="danger" @click=${() => this._onAction('delete')}>
          Delete
        </button>
        ${
          summary.status === 'completed'
            ? html`<a
                class="button"
                href=${`${artifactPath(this.container, this.collection, this.artifact)}/data?format=zip`}
                download
                >Download all data (zip)</a
              >`
            : nothing
        }
      </div>
      ${this._action.render({
        error: (error) =>
          html`<p class="error-box" role="alert">That did not work: ${describeError(error)}</p>`,
      })}
      ${this._renderSummary(summary)}
      <kiln-artifact-record
        .record=${record}
        .location=${{ container: this.container, collection: this.collection, artifact: this.artifact }}
        .completed=${summary.status === 'completed'}
      ></kiln-artifact-record>
      ${this._renderMetrics()}
      <section aria-labelledby="log-heading">
        <h3 id="log-heading">Log</h3>
        <kiln-log-view
          .container=${this.container}
          .collection=${this.collection}
          .artifact=${this.artifact}
        ></kiln-log-view>
      </section>
    `;
  }

  private _renderSummary(summary: ArtifactSummary) {
    return html`<section aria-labelledby="summary-heading">
      <h3 id="summary-heading" class="visually-hidden">Summary</h3>
      <dl class="fields">
        <dt>Container</dt>
        <dd>${this.container}</dd>
        <dt>Progress</dt>
        <dd>
          <progress max="1" .value=${summary.progress} aria-label="Progress"></progress>
          ${formatPercent(summary.progress)}
          ${summary.message ? html`· ${summary.message}` : nothing}
        </dd>
        ${
          summary.error
            ? html`<dt>Error</dt>
                <dd class="error">${summary.error}</dd>`
            : nothing
        }
        <dt>Created</dt>
        <dd>${formatTime(summary.createdAt)}</dd>
        <dt>Started</dt>
        <dd>${formatTime(summary.startedAt)}</dd>
        <dt>Finished</dt>
        <dd>${formatTime(summary.finishedAt)}</dd>
        <dt>Duration</dt>
        <dd>${formatDuration(summary.startedAt, summary.finishedAt)}</dd>
        <dt>Attempt</dt>
        <dd>${summary.attempt}</dd>
        <dt>Cached</dt>
        <dd>
          ${summary.cached ? html`yes${summary.cachedFrom ? html`, from ${summary.cachedFrom}` : nothing}` : 'no'}
        </dd>
      </dl>
    </section>`;
  }

  private _renderMetrics() {
    const metrics: MetricInfo[] = this._metrics.value ?? [];
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
              .container=${this.container}
              .collection=${this.collection}
              .artifact=${this.artifact}
              .metric=${metric.name}
              .revision=${this._metricsRevision}
            ></kiln-metric-chart>`,
        )}
      </div>
      ${repeat(
        reports,
        (metric) => metric.name,
        (metric) =>
          html`<kiln-report-view
            .container=${this.container}
            .collection=${this.collection}
            .artifact=${this.artifact}
            .metric=${metric.name}
            .revision=${this._metricsRevision}
          ></kiln-report-view>`,
      )}
    </section>`;
  }

  #subscribe(): void {
    this.#unsubscribe?.();
    const artifact = this.artifact;
    this.#unsubscribe = this._api.live.subscribe(this.container, {
      artifact: (summary) => {
        if (summary.name !== artifact) return;
        const wasFinal = this._live ? isFinalStatus(this._live.status) : false;
        this._live = summary;
        if (isFinalStatus(summary.status) && !wasFinal) {
          // the record gains its files and digest, and the last metrics are written
          void this._record.run();
          this.#refreshMetrics();
        } else this.#scheduleRefresh();
      },
      open: (reconnected) => {
        if (reconnected) void this._record.run();
      },
    });
  }

  /** Refreshes the metrics now, or once the minimum interval has passed. */
  readonly #scheduleRefresh = (): void => {
    if (this.#refreshTimer !== undefined) return;
    const wait = Math.max(0, this.#lastRefresh + METRICS_REFRESH_MS - Date.now());
    this.#refreshTimer = setTimeout(() => {
      this.#refreshTimer = undefined;
      this.#refreshMetrics();
    }, wait);
  };

  #refreshMetrics(): void {
    this.#lastRefresh = Date.now();
    void this._metrics.run();
    this._metricsRevision++;
  }

  private async _onAction(action: Action): Promise<void> {
    const confirmed = await this._confirm.ask(
      action === 'cancel'
        ? {
            title: `Cancel ${this.artifact}?`,
            message: 'The build stops; the artifact keeps its record and log, marked cancelled.',
            confirmLabel: 'Cancel the build',
            danger: true,
          }
        : {
            title: `Delete ${this.artifact}?`,
            message:
              'The artifact, its data and its log are removed for good. A running build is cancelled first.',
            confirmLabel: 'Delete',
            danger: true,
          },
    );
    if (confirmed) void this._action.run([action]);
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'kiln-artifact-page': KilnArtifactPage;
  }
}
