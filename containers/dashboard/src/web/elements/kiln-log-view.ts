import { consume } from '@lit/context';
import { initialState, Task } from '@lit/task';
import { css, html, LitElement, type PropertyValues } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import { apiContext } from '../api/api-context.js';
import { describeError } from '../api/api-error.js';
import type { KilnApi } from '../api/kiln-api.js';
import { refChanged, type ArtifactRef } from '../model/artifact-ref.js';
import { LogAppendedEvent } from '../events/kiln-events.js';
import { sharedStyles } from '../styles/shared-styles.js';

/** The most log text kept on the page; older text is dropped from the top. */
const MAX_CHARS = 1_000_000;

/**
 * An artifact's log, following it live with `?follow=1` until the build ends. It stays
 * scrolled to the bottom while the reader is there, and leaves the scroll alone otherwise.
 */
@customElement('kiln-log-view')
export class KilnLogView extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      pre {
        background: #1b1f24;
        color: #e6edf3;
        padding: 0.75rem;
        border-radius: 6px;
        max-height: 28rem;
        min-height: 4rem;
        overflow: auto;
        white-space: pre-wrap;
        overflow-wrap: anywhere;
        margin: 0;
      }
      .state {
        font-size: 0.85rem;
        margin: 0.25rem 0 0;
      }
    `,
  ];

  @property({ attribute: false, hasChanged: refChanged }) ref: ArtifactRef | undefined;

  @state() private _text = '';

  @consume({ context: apiContext }) private _api!: KilnApi;

  @query('pre') private _pre!: HTMLPreElement;

  #stick = true;
  #stopped = false;
  #bytes = 0;
  #key = '';

  private _follow = new Task(this, {
    task: async ([ref], { signal }) => {
      if (!ref) return initialState;
      const { container, collection, artifact } = ref;
      const key = `${container}/${collection}/${artifact}`;
      if (key !== this.#key) {
        this.#key = key;
        this.#bytes = 0;
        this._text = '';
      }
      await this._api.followLog(
        container,
        collection,
        artifact,
        this.#bytes,
        (text, offset) => {
          this.#bytes = offset;
          this.#append(text);
        },
        signal,
      );
    },
    args: () => [this.ref] as const,
  });

  override connectedCallback(): void {
    super.connectedCallback();
    // followed again when the element comes back (it stopped following when it left)
    if (this.#stopped) void this._follow.run();
    this.#stopped = false;
  }

  override disconnectedCallback(): void {
    // a followed log holds a connection open until the build ends: give it back now
    this._follow.abort();
    this.#stopped = true;
    super.disconnectedCallback();
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (changed.has('_text' as keyof KilnLogView) && this.#stick)
      this._pre.scrollTop = this._pre.scrollHeight;
  }

  /** Follows again from where the log broke off (after a network error). */
  resume(): void {
    void this._follow.run();
  }

  override render() {
    return html`<pre role="log" aria-label="Log" tabindex="0" @scroll=${this._onScroll}>
${this._text}</pre>
      <p class="state muted" role="status">
        ${this._follow.render({
          pending: () => 'Following the log…',
          complete: () => (this._text ? 'End of log.' : 'The log is empty.'),
          error: (error) =>
            html`<span class="error">The log stopped: ${describeError(error)}</span>
              <button type="button" @click=${this.resume}>Resume</button>`,
        })}
      </p>`;
  }

  #append(text: string): void {
    if (!text) return;
    const next = this._text + text;
    this._text = next.length > MAX_CHARS ? next.slice(next.length - MAX_CHARS) : next;
    this.dispatchEvent(new LogAppendedEvent());
  }

  private _onScroll(): void {
    const pre = this._pre;
    this.#stick = pre.scrollHeight - pre.scrollTop - pre.clientHeight < 24;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'kiln-log-view': KilnLogView;
  }
}
