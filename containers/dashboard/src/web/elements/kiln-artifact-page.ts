import { isFinalStatus, type ArtifactRecord, type ArtifactSummary } from '@kiln/api';
import { consume } from '@lit/context';
import { initialState, Task } from '@lit/task';
import { css, html, LitElement, nothing, type PropertyValues } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import { apiContext } from '../api/api-context.js';
import { describeError } from '../api/api-error.js';
import type { KilnApi } from '../api/kiln-api.js';
import { artifactPath } from '../api/paths.js';
import { ArtifactChangedEvent, LogAppendedEvent } from '../events/kiln-events.js';
import { refChanged, type ArtifactRef } from '../model/artifact-ref.js';
import { href } from '../router/route.js';
import { sharedStyles } from '../styles/shared-styles.js';
import type { KilnConfirmDialog } from './kiln-confirm-dialog.js';
import './kiln-artifact-files.js';
import './kiln-artifact-metrics.js';
import './kiln-artifact-parameters.js';
import './kiln-artifact-summary.js';
import './kiln-confirm-dialog.js';
import './kiln-log-view.js';
import './kiln-status-badge.js';

/** The least time between two refreshes of the metrics while an artifact is running. */
const METRICS_REFRESH_MS = 1000;

type Action = 'cancel' | 'delete';

/**
 * One artifact (or run): its state, parameters, input files, data files with download links,
 * every metric (series as charts, reports as tables and heat maps) and its log, all kept live
 * from the container's `/events` and the followed log. Cancel and delete ask first. Each part is
 * an element of its own, given the artifact as one {@link ArtifactRef}.
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
    `,
  ];

  @property({ attribute: false, hasChanged: refChanged }) ref: ArtifactRef | undefined;
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
    task: ([ref], { signal }) =>
      ref ? this._api.record(ref.container, ref.collection, ref.artifact, signal) : initialState,
    args: () => [this.ref] as const,
  });

  private _action = new Task(this, {
    task: async ([action]: readonly [Action]) => {
      const ref = this.ref!;
      if (action === 'cancel') await this._api.cancel(ref.container, ref.collection, ref.artifact);
      else {
        await this._api.remove(ref.container, ref.collection, ref.artifact);
        this.#unsubscribe?.();
        this.#unsubscribe = undefined;
        this._deleted = true;
      }
      this.dispatchEvent(
        new ArtifactChangedEvent(
          action === 'cancel' ? 'cancelled' : 'deleted',
          ref.container,
          ref.artifact,
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
    if (changed.has('ref') && this.ref) {
      this._live = undefined;
      this._deleted = false;
      this.#subscribe(this.ref);
      if (!this.embedded) document.title = `${this.ref.artifact} · ${this.ref.container} · Kiln`;
    }
  }

  override render() {
    const { ref } = this;
    if (!ref) return nothing;
    if (this._deleted) {
      return html`<h2>${ref.artifact}</h2>
        <p role="status">
          This artifact was deleted. <a href=${href.home()}>Back to the pipelines</a>.
        </p>`;
    }
    return html`
      ${
        this.embedded
          ? nothing
          : html`<nav aria-label="Breadcrumb" class="muted">
              <a href=${href.home()}>Pipelines</a> › ${ref.container} ›
            </nav>`
      }
      ${this._record.render({
        pending: () =>
          this._record.value
            ? this._renderRecord(ref, this._record.value)
            : html`<p class="muted" role="status">Loading ${ref.artifact}…</p>`,
        error: (error) =>
          html`<h2>${ref.artifact}</h2>
            <p class="error-box" role="alert">
              Could not load this artifact: ${describeError(error)}
            </p>`,
        complete: (record) => this._renderRecord(ref, record),
      })}
      <kiln-confirm-dialog></kiln-confirm-dialog>
    `;
  }

  private _renderRecord(ref: ArtifactRef, record: ArtifactRecord) {
    const summary: ArtifactSummary = { ...record, ...this._live };
    const final = isFinalStatus(summary.status);
    return html`
      <div class="title">
        ${this.embedded ? html`<h3>Status</h3>` : html`<h2>${ref.artifact}</h2>`}
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
                href=${`${artifactPath(ref.container, ref.collection, ref.artifact)}/data?format=zip`}
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
      <kiln-artifact-summary .ref=${ref} .summary=${summary}></kiln-artifact-summary>
      <kiln-artifact-parameters .record=${record}></kiln-artifact-parameters>
      <kiln-artifact-files
        .ref=${ref}
        .record=${record}
        ?completed=${summary.status === 'completed'}
      ></kiln-artifact-files>
      <kiln-artifact-metrics .ref=${ref} .revision=${this._metricsRevision}></kiln-artifact-metrics>
      <section aria-labelledby="log-heading">
        <h3 id="log-heading">Log</h3>
        <kiln-log-view .ref=${ref}></kiln-log-view>
      </section>
    `;
  }

  #subscribe(ref: ArtifactRef): void {
    this.#unsubscribe?.();
    const artifact = ref.artifact;
    this.#unsubscribe = this._api.live.subscribe(ref.container, {
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
    this._metricsRevision++;
  }

  private async _onAction(action: Action): Promise<void> {
    const artifact = this.ref?.artifact ?? '';
    const confirmed = await this._confirm.ask(
      action === 'cancel'
        ? {
            title: `Cancel ${artifact}?`,
            message: 'The build stops; the artifact keeps its record and log, marked cancelled.',
            confirmLabel: 'Cancel the build',
            danger: true,
          }
        : {
            title: `Delete ${artifact}?`,
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
