import type { ArtifactStatus, ArtifactSummary } from '@kiln/api';
import { consume } from '@lit/context';
import { Task } from '@lit/task';
import { css, html, LitElement, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { apiContext } from '../api/api-context.js';
import { describeError } from '../api/api-error.js';
import type { KilnApi } from '../api/kiln-api.js';
import { ArtifactIndex, type ArtifactRow } from '../model/artifact-index.js';
import { formatPercent, formatTime } from '../model/format.js';
import { href } from '../router/route.js';
import { sharedStyles } from '../styles/shared-styles.js';
import './kiln-status-badge.js';

const STATUSES: readonly ArtifactStatus[] = [
  'queued',
  'in-progress',
  'completed',
  'failed',
  'cancelled',
];
const PAGE_SIZES = [25, 50, 100, 250] as const;
/** How long a table waits for the live stream to be ready before listing without it. */
const OPEN_WAIT_MS = 3000;

/**
 * A pipeline's runs (`mode="runs"`) or every artifact of its containers (`mode="artifacts"`) in
 * one table, paged so 10,000 rows stay quick, and kept live from the pipeline's merged event
 * stream: the stream is opened first, then the listing is fetched, and events that arrive
 * meanwhile are applied on top of it, so no change is lost between the two. Nothing polls.
 */
@customElement('kiln-artifact-table')
export class KilnArtifactTable extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      .filters {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem 1rem;
        align-items: end;
        margin-bottom: 0.5rem;
      }
      .filters label {
        display: flex;
        flex-direction: column;
        font-size: 0.85rem;
        font-weight: 600;
        gap: 0.2rem;
      }
      .name {
        overflow-wrap: anywhere;
        min-width: 8rem;
      }
      .message {
        max-width: 22rem;
        overflow-wrap: anywhere;
      }
      .error {
        color: #a40e26;
      }
      .progress,
      .time {
        white-space: nowrap;
      }
      nav.pages {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem;
        align-items: center;
        margin-top: 0.5rem;
      }
      @media (max-width: 50rem) {
        .wide {
          display: none;
        }
        progress {
          width: 4rem;
        }
      }
    `,
  ];

  @property() pipeline = '';
  @property({ reflect: true }) mode: 'runs' | 'artifacts' = 'artifacts';
  /** What the rows are called in captions and announcements. */
  @property() label = 'Artifacts';

  @state() private _container = '';
  @state() private _status = '';
  @state() private _text = '';
  @state() private _page = 0;
  @state() private _pageSize: number = PAGE_SIZES[0];
  /** Bumped on every live change so the table renders again. */
  @state() private _revision = 0;

  @consume({ context: apiContext }) private _api!: KilnApi;

  readonly #index = new ArtifactIndex();
  #watching: { pipeline: string; stop: () => void; opened: Promise<void> } | undefined;
  /** Events that arrive while a listing is being fetched; applied after it. */
  #pending: ArtifactRow[] | undefined;

  private _load = new Task(this, {
    task: async ([pipeline, mode]: [string, 'runs' | 'artifacts'], { signal }) => {
      await this.#watch(pipeline);
      this.#pending = [];
      try {
        const rows =
          mode === 'runs'
            ? (await this._api.list(pipeline, 'runs', signal)).map((summary) => ({
                ...summary,
                container: pipeline,
              }))
            : await this._api.pipelineArtifacts(pipeline, signal);
        this.#index.replaceAll(rows);
        for (const row of this.#pending) this.#index.upsert(row);
      } finally {
        this.#pending = undefined;
      }
      this._revision++;
      return this.#index.size;
    },
    args: () => [this.pipeline, this.mode] as [string, 'runs' | 'artifacts'],
  });

  override disconnectedCallback(): void {
    this.#watching?.stop();
    this.#watching = undefined;
    super.disconnectedCallback();
  }

  override render() {
    const loaded = this.#index.size > 0 || this._load.value !== undefined;
    return html`
      ${this._renderFilters()}
      ${this._load.render({
        pending: () =>
          loaded
            ? nothing
            : html`<p class="muted" role="status">Loading ${this.label.toLowerCase()}…</p>`,
        error: (error) =>
          html`<p class="error-box" role="alert">
            Could not list the ${this.label.toLowerCase()}: ${describeError(error)}
            <button type="button" @click=${() => void this._load.run()}>Try again</button>
          </p>`,
      })}
      ${loaded ? this._renderTable() : nothing}
    `;
  }

  private _renderFilters() {
    const containers = this.#index.containers();
    return html`<div
      class="filters"
      role="search"
      aria-label=${`Filter ${this.label.toLowerCase()}`}
    >
      ${
        this.mode === 'artifacts'
          ? html`<label
              >Container
              <select .value=${this._container} @change=${this._onContainer}>
                <option value="">All</option>
                ${containers.map((name) => html`<option value=${name} ?selected=${name === this._container}>${name}</option>`)}
              </select></label
            >`
          : nothing
      }
      <label
        >Status
        <select @change=${this._onStatus}>
          <option value="">All</option>
          ${STATUSES.map((status) => html`<option value=${status} ?selected=${status === this._status}>${status}</option>`)}
        </select></label
      >
      <label
        >Search
        <input
          type="search"
          .value=${this._text}
          @input=${this._onText}
          placeholder="name or message"
        />
      </label>
      <label
        >Rows per page
        <select @change=${this._onPageSize}>
          ${PAGE_SIZES.map((size) => html`<option value=${size} ?selected=${size === this._pageSize}>${size}</option>`)}
        </select></label
      >
    </div>`;
  }

  private _renderTable() {
    const page = this.#index.query({
      container: this._container || undefined,
      status: (this._status || undefined) as ArtifactStatus | undefined,
      text: this._text,
      page: this._page,
      pageSize: this._pageSize,
    });
    const first = page.total === 0 ? 0 : page.page * this._pageSize + 1;
    const last = page.page * this._pageSize + page.rows.length;
    const noun = this.label.toLowerCase();
    return html`
      <p class="muted" role="status" aria-live="polite">
        ${page.total === 0 ? `No ${noun} to show.` : `Showing ${first}–${last} of ${page.total.toLocaleString('en')} ${noun}.`}
      </p>
      ${page.total === 0 ? nothing : this._renderRows(page.rows)}
      ${page.pages > 1 ? this._renderPager(page.page, page.pages) : nothing}
    `;
  }

  private _renderRows(rows: ArtifactRow[]) {
    return html`
      <div class="table-wrap">
        <table>
          <caption class="visually-hidden">
            ${this.label} of ${this.pipeline}
          </caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              ${this.mode === 'artifacts' ? html`<th scope="col">Container</th>` : nothing}
              <th scope="col">Status</th>
              <th scope="col">Progress</th>
              <th scope="col">Message</th>
              <th scope="col" class="wide">Created</th>
              <th scope="col" class="wide">Started</th>
              <th scope="col" class="wide">Finished</th>
              <th scope="col" class="wide">Cached</th>
            </tr>
          </thead>
          <tbody>
            ${rows.map((row) => this._renderRow(row))}
          </tbody>
        </table>
      </div>
    `;
  }

  private _renderRow(row: ArtifactRow) {
    const link =
      this.mode === 'runs'
        ? href.run(this.pipeline, row.name)
        : href.artifact(row.container, row.name);
    return html`<tr>
      <th scope="row" class="name"><a href=${link}>${row.name}</a></th>
      ${this.mode === 'artifacts' ? html`<td>${row.container}</td>` : nothing}
      <td><kiln-status-badge status=${row.status}></kiln-status-badge></td>
      <td class="progress">
        <progress max="1" .value=${row.progress} aria-label=${`Progress of ${row.name}`}></progress>
        ${formatPercent(row.progress)}
      </td>
      <td class="message ${row.error ? 'error' : ''}">${row.error ?? row.message ?? ''}</td>
      <td class="wide time">${formatTime(row.createdAt)}</td>
      <td class="wide time">${formatTime(row.startedAt)}</td>
      <td class="wide time">${formatTime(row.finishedAt)}</td>
      <td class="wide">
        ${row.cached ? html`yes${row.cachedFrom ? html` (from ${row.cachedFrom})` : nothing}` : 'no'}
      </td>
    </tr>`;
  }

  private _renderPager(current: number, pages: number) {
    return html`<nav class="pages" aria-label=${`${this.label} pages`}>
      <button type="button" ?disabled=${current === 0} @click=${() => this._goTo(0)}>First</button>
      <button type="button" ?disabled=${current === 0} @click=${() => this._goTo(current - 1)}>
        Previous
      </button>
      <span>Page ${current + 1} of ${pages}</span>
      <button
        type="button"
        ?disabled=${current >= pages - 1}
        @click=${() => this._goTo(current + 1)}
      >
        Next
      </button>
      <button type="button" ?disabled=${current >= pages - 1} @click=${() => this._goTo(pages - 1)}>
        Last
      </button>
    </nav>`;
  }

  /** Watches the pipeline's merged stream; resolves once it is ready (or a while passed). */
  async #watch(pipeline: string): Promise<void> {
    if (this.#watching?.pipeline !== pipeline) {
      this.#watching?.stop();
      let opened!: () => void;
      const promise = new Promise<void>((resolve) => (opened = resolve));
      const stop = this._api.live.subscribePipeline(pipeline, {
        artifact: (summary, container) => this.#onLive(container, summary),
        open: (reconnected) => {
          opened();
          // events may have been missed while a stream was down: list again
          if (reconnected) void this._load.run();
        },
      });
      this.#watching = { pipeline, stop, opened: promise };
    }
    const timeout = new Promise<void>((resolve) => setTimeout(resolve, OPEN_WAIT_MS));
    await Promise.race([this.#watching.opened, timeout]);
  }

  #onLive(container: string, summary: ArtifactSummary): void {
    // the runs table shows the pipeline's own artifacts, the other table everything else
    if ((container === this.pipeline) !== (this.mode === 'runs')) return;
    const row = { ...summary, container };
    if (this.#pending) {
      this.#pending.push(row);
      return;
    }
    this.#index.upsert(row);
    this._revision++;
  }

  private _goTo(page: number): void {
    this._page = page;
  }

  private _onContainer(event: Event): void {
    this._container = (event.target as HTMLSelectElement).value;
    this._page = 0;
  }

  private _onStatus(event: Event): void {
    this._status = (event.target as HTMLSelectElement).value;
    this._page = 0;
  }

  private _onText(event: Event): void {
    this._text = (event.target as HTMLInputElement).value;
    this._page = 0;
  }

  private _onPageSize(event: Event): void {
    this._pageSize = Number((event.target as HTMLSelectElement).value);
    this._page = 0;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'kiln-artifact-table': KilnArtifactTable;
  }
}
