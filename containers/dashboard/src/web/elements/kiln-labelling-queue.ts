import type { PredictionInfo } from '@kiln/api';
import { consume } from '@lit/context';
import { Task, TaskStatus } from '@lit/task';
import { css, html, LitElement, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { apiContext } from '../api/api-context.js';
import { describeError } from '../api/api-error.js';
import type { KilnApi } from '../api/kiln-api.js';
import type { LabelChosenEvent } from '../events/kiln-events.js';
import { sharedStyles } from '../styles/shared-styles.js';
import './kiln-label-buttons.js';

/** How many recent predictions the queue shows. */
const QUEUE_SIZE = 12;

/**
 * The labelling queue: the model's recent predictions that have no label yet, each as a
 * thumbnail of its input with the predicted class, to confirm or correct with one click (the
 * labelling page of the system Kiln replaces). New predictions join it live, and a prediction
 * labelled elsewhere (the CLI, the SDK) shows its label; each label counts toward the model's
 * next retraining run.
 */
@customElement('kiln-labelling-queue')
export class KilnLabellingQueue extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      ul {
        list-style: none;
        margin: 0;
        padding: 0;
        display: grid;
        grid-template-columns: repeat(auto-fill, minmax(15rem, 1fr));
        gap: 0.75rem;
      }
      li {
        border: 1px solid var(--kiln-border, #d0d7de);
        border-radius: 6px;
        padding: 0.6rem;
        display: grid;
        grid-template-columns: 56px 1fr;
        gap: 0.25rem 0.6rem;
      }
      li.done {
        background: var(--kiln-surface, #f6f8fa);
      }
      img {
        width: 56px;
        height: 56px;
        image-rendering: pixelated;
        border-radius: 4px;
        background: #000;
      }
      .what {
        margin: 0;
      }
      kiln-label-buttons {
        grid-column: 1 / -1;
      }
    `,
  ];

  /** The serving container, by its name behind the gateway. */
  @property() container = '';
  @property() model = '';
  /** The model's class names, by index. */
  @property({ attribute: false }) classes: string[] = [];

  /** The queue, newest first: recent predictions, and the label each has received here. */
  @state() private _items: PredictionInfo[] = [];
  /** Predictions whose label is being sent. */
  @state() private _sending = new Set<string>();
  @state() private _error = '';

  @consume({ context: apiContext }) private _api!: KilnApi;

  #stop: (() => void) | undefined;

  private _load = new Task(this, {
    task: async ([container, model]: [string, string], { signal }) => {
      const items = await this._api.serving(container).unlabelled(model, QUEUE_SIZE, signal);
      this._items = items;
      return items;
    },
    args: () => [this.container, this.model] as [string, string],
  });

  override updated(changed: Map<string, unknown>): void {
    if (changed.has('container')) this._follow();
  }

  override disconnectedCallback(): void {
    this.#stop?.();
    this.#stop = undefined;
    super.disconnectedCallback();
  }

  override render() {
    return html`
      ${this._load.render({
        pending: () =>
          this._items.length === 0
            ? html`<p class="muted" role="status">Loading the predictions…</p>`
            : nothing,
        error: (error) =>
          html`<p class="error-box" role="alert">
            Could not load the predictions: ${describeError(error)}
          </p>`,
      })}
      ${this._error ? html`<p class="error-box" role="alert">${this._error}</p>` : nothing}
      ${
        this._items.length === 0 && this._load.status === TaskStatus.COMPLETE
          ? html`<p class="muted">
              Every prediction has a label. New predictions show here as they are made.
            </p>`
          : html`<ul aria-label="Predictions to label">
              ${this._items.map((item) => this._renderItem(item))}
            </ul>`
      }
    `;
  }

  private _renderItem(item: PredictionInfo) {
    const predicted = this.classes[item.label] ?? String(item.label);
    const subject = `prediction ${item.id.slice(0, 8)}`;
    return html`<li class=${item.feedback === null ? '' : 'done'} aria-label=${subject}>
      <img
        src=${this._api.serving(this.container).inputPath(item.id)}
        alt="The image of ${subject}"
        width="56"
        height="56"
        loading="lazy"
      />
      <p class="what">
        <strong>${predicted}</strong> (${(item.confidence * 100).toFixed(0)}%)<br />
        <span class="muted"
          >v${item.version}, ${new Date(item.createdAt).toLocaleTimeString()}</span
        >
      </p>
      <kiln-label-buttons
        .classes=${this.classes}
        predicted=${item.label}
        .given=${item.feedback ?? undefined}
        subject=${subject}
        ?busy=${this._sending.has(item.id)}
        @kiln-label-chosen=${(event: LabelChosenEvent) => this._onLabel(item, event.label)}
      ></kiln-label-buttons>
    </li>`;
  }

  /** Follows the container's events: new predictions join, labels given elsewhere show. */
  private _follow(): void {
    this.#stop?.();
    this.#stop = this._api.servingEvents(this.container).subscribe({
      prediction: (prediction) => {
        if (prediction.model !== this.model) return;
        if (this._items.some((item) => item.id === prediction.id)) return;
        this._items = [prediction, ...this._items].slice(0, QUEUE_SIZE);
      },
      feedback: ({ feedback }) => {
        if (feedback.predictionId === null) return;
        this._mark(feedback.predictionId, feedback.label);
      },
      open: () => void this._load.run(),
    });
  }

  private _mark(id: string, label: number): void {
    this._items = this._items.map((item) => (item.id === id ? { ...item, feedback: label } : item));
  }

  private async _onLabel(item: PredictionInfo, label: number): Promise<void> {
    this._error = '';
    this._sending = new Set([...this._sending, item.id]);
    try {
      await this._api.serving(this.container).feedback(item.id, label);
      this._mark(item.id, label);
    } catch (error) {
      this._error = `Could not label the prediction: ${describeError(error)}`;
    } finally {
      const sending = new Set(this._sending);
      sending.delete(item.id);
      this._sending = sending;
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'kiln-labelling-queue': KilnLabellingQueue;
  }
}
