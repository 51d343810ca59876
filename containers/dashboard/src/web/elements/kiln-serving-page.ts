import type { AliasChange, ModelDetail, ModelVersionInfo } from '@kiln/api';
import { consume } from '@lit/context';
import { Task } from '@lit/task';
import { css, html, LitElement, nothing, type PropertyValues } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import { apiContext } from '../api/api-context.js';
import { describeError } from '../api/api-error.js';
import type { KilnApi } from '../api/kiln-api.js';
import { AliasRequestEvent } from '../events/kiln-events.js';
import { href } from '../router/route.js';
import { sharedStyles } from '../styles/shared-styles.js';
import type { KilnConfirmDialog } from './kiln-confirm-dialog.js';
import './kiln-confirm-dialog.js';
import './kiln-try-it.js';
import './kiln-version-table.js';

/** The model's data: its aliases with their recent moves, and its versions. */
interface ModelView {
  detail: ModelDetail;
  versions: ModelVersionInfo[];
}

/** The last champion the current one replaced: where "Roll back" goes. */
function previousChampion(history: AliasChange[], champion: number | undefined): number | null {
  const move = history.find((change) => change.alias === 'champion');
  return move && move.version === champion ? move.previous : null;
}

/**
 * A served model: its aliases, its versions with their benchmark figures, promote and roll back
 * (each with a confirmation), and a "try it" panel. Kept live through the serving container's
 * `/events`: a version loading or failing, an alias moving, show without a reload.
 */
@customElement('kiln-serving-page')
export class KilnServingPage extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      .aliases {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem 2rem;
        align-items: center;
      }
      .alias {
        font-size: 1.05rem;
      }
    `,
  ];

  @property() model = '';

  /** The version the "try it" panel asks; the champion when unset. */
  @state() private _tryVersion: number | undefined;
  @state() private _switching = false;
  @state() private _switchError = '';

  @query('kiln-confirm-dialog') private _confirm!: KilnConfirmDialog;

  @consume({ context: apiContext }) private _api!: KilnApi;

  #stop: (() => void) | undefined;
  #refresh: ReturnType<typeof setTimeout> | undefined;

  private _view = new Task(this, {
    task: async ([model]: [string], { signal }): Promise<ModelView> => {
      const [detail, versions] = await Promise.all([
        this._api.serving.model(model, signal),
        this._api.serving.versions(model, signal),
      ]);
      return { detail, versions };
    },
    args: () => [this.model] as [string],
  });

  private _switch = new Task(this, {
    task: async ([version]: [number]) => {
      this._switchError = '';
      await this._api.serving.setAlias(this.model, 'champion', version);
      await this._view.run();
    },
    autoRun: false,
  });

  override connectedCallback(): void {
    super.connectedCallback();
    this.addEventListener(AliasRequestEvent.eventName, this._onAliasRequest);
  }

  override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('model')) {
      document.title = `${this.model} · Serving · Kiln`;
      this.#stop?.();
      this.#stop = this._api.servingEvents.subscribe({
        version: (info) => {
          if (info.model === this.model) this._reload();
        },
        alias: (change) => {
          if (change.model === this.model) this._reload();
        },
        open: () => this._reload(),
      });
    }
  }

  override disconnectedCallback(): void {
    this.#stop?.();
    this.#stop = undefined;
    clearTimeout(this.#refresh);
    this.removeEventListener(AliasRequestEvent.eventName, this._onAliasRequest);
    super.disconnectedCallback();
  }

  override render() {
    const view = this._view.value;
    return html`
      <nav aria-label="Breadcrumb" class="muted"><a href=${href.serving()}>Models</a> ›</nav>
      <h2>${this.model}</h2>
      ${this._view.render({
        pending: () =>
          view
            ? this._renderModel(view)
            : html`<p class="muted" role="status">Loading the model…</p>`,
        error: (error) =>
          html`<p class="error-box" role="alert">
            Could not load the model: ${describeError(error)}
          </p>`,
        complete: (loaded) => this._renderModel(loaded),
      })}
      <kiln-confirm-dialog></kiln-confirm-dialog>
    `;
  }

  private _renderModel(view: ModelView) {
    const { champion, challenger } = view.detail.aliases;
    const previous = previousChampion(view.detail.history, champion);
    const ready = view.versions.filter((v) => v.status === 'ready').map((v) => v.version);
    return html`
      <section aria-labelledby="aliases-heading">
        <h3 id="aliases-heading">Aliases</h3>
        <div class="aliases">
          <span class="alias"
            >Champion:
            <strong>${champion === undefined ? 'none yet' : `v${champion}`}</strong></span
          >
          <span class="alias"
            >Challenger:
            <strong>${challenger === undefined ? 'none' : `v${challenger}`}</strong></span
          >
          ${
            previous === null
              ? nothing
              : html`<button
                  type="button"
                  ?disabled=${this._switching}
                  @click=${() => this._onAliasRequest(new AliasRequestEvent('champion', previous, 'roll back'))}
                >
                  Roll back to v${previous}
                </button>`
          }
        </div>
        ${this._switchError ? html`<p class="error-box" role="alert">${this._switchError}</p>` : nothing}
        ${this._switching ? html`<p class="muted" role="status">Switching…</p>` : nothing}
      </section>
      <section aria-labelledby="versions-heading">
        <h3 id="versions-heading">Versions</h3>
        <kiln-version-table
          .versions=${view.versions}
          .champion=${champion}
          ?busy=${this._switching}
        ></kiln-version-table>
      </section>
      <section aria-labelledby="try-heading">
        <h3 id="try-heading">Try it</h3>
        <label>
          Ask
          <select @change=${this._onTryVersion} aria-label="Version to ask">
            <option value="" ?selected=${this._tryVersion === undefined}>the champion</option>
            ${ready.map(
              (version) =>
                html`<option value=${version} ?selected=${this._tryVersion === version}>
                  version ${version}
                </option>`,
            )}
          </select>
        </label>
        <kiln-try-it .model=${this.model} .version=${this._tryVersion}></kiln-try-it>
      </section>
    `;
  }

  /** Reloads the model, at most every 300 ms while events pour in. */
  private _reload(): void {
    if (this.#refresh !== undefined) return;
    this.#refresh = setTimeout(() => {
      this.#refresh = undefined;
      void this._view.run();
    }, 300);
  }

  private _onTryVersion(event: Event): void {
    const value = (event.target as HTMLSelectElement).value;
    this._tryVersion = value === '' ? undefined : Number(value);
  }

  private _onAliasRequest = (event: AliasRequestEvent): void => {
    void this._confirmAndSwitch(event);
  };

  private async _confirmAndSwitch(event: AliasRequestEvent): Promise<void> {
    const rollBack = event.action === 'roll back';
    const confirmed = await this._confirm.ask({
      title: rollBack
        ? `Roll back to version ${event.version}?`
        : `Promote version ${event.version}?`,
      message: `Version ${event.version} becomes the champion of ${this.model} and answers every request that names no version. It is loaded first if needed; the switch loses no request.`,
      confirmLabel: rollBack ? 'Roll back' : 'Promote',
    });
    if (!confirmed) return;
    this._switching = true;
    try {
      await this._switch.run([event.version]);
      if (this._switch.error)
        this._switchError = `Could not switch: ${describeError(this._switch.error)}`;
    } finally {
      this._switching = false;
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'kiln-serving-page': KilnServingPage;
  }
}
