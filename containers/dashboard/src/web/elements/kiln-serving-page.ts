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

/** The model's data: where it is served, its aliases with their recent moves, and its versions. */
interface ModelView {
  /** The serving container that serves it. */
  container: string;
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
 * `/events`: a version loading or failing, an alias moving, show without a reload. The serving
 * container is the one `container` names, else the project's first (found by its kind) that
 * serves a model of that name.
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
  /**
   * The serving container, by its name behind the gateway; when unset, the project's first that
   * serves the model.
   */
  @property() container: string | undefined;

  /** The version the "try it" panel asks; the champion when unset. */
  @state() private _tryVersion: number | undefined;
  @state() private _switching = false;
  @state() private _switchError = '';

  @query('kiln-confirm-dialog') private _confirm!: KilnConfirmDialog;

  @consume({ context: apiContext }) private _api!: KilnApi;

  #stop: (() => void) | undefined;
  /** The container whose events {@link #stop} ends. */
  #followed: string | undefined;
  #refresh: ReturnType<typeof setTimeout> | undefined;

  private _view = new Task(this, {
    task: async ([model, asked]: [string, string | undefined], { signal }): Promise<ModelView> => {
      const container = asked ?? (await this._servingContainerOf(model, signal));
      this._follow(container);
      const serving = this._api.serving(container);
      const [detail, versions] = await Promise.all([
        serving.model(model, signal),
        serving.versions(model, signal),
      ]);
      return { container, detail, versions };
    },
    args: () => [this.model, this.container] as [string, string | undefined],
  });

  private _switch = new Task(this, {
    task: async ([container, version]: [string, number]) => {
      this._switchError = '';
      await this._api.serving(container).setAlias(this.model, 'champion', version);
      await this._view.run();
    },
    autoRun: false,
  });

  override connectedCallback(): void {
    super.connectedCallback();
    this.addEventListener(AliasRequestEvent.eventName, this._onAliasRequest);
  }

  override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('model')) document.title = `${this.model} · Serving · Kiln`;
  }

  override disconnectedCallback(): void {
    this.#stop?.();
    this.#stop = undefined;
    this.#followed = undefined;
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
        <kiln-try-it
          .container=${view.container}
          .model=${this.model}
          .version=${this._tryVersion}
        ></kiln-try-it>
      </section>
    `;
  }

  /** The serving container that serves `model`: the project's first one that has it. */
  private async _servingContainerOf(model: string, signal: AbortSignal): Promise<string> {
    const containers = await this._api.servingContainers(signal);
    if (containers.length === 0) throw new Error('this project has no serving container');
    if (containers.length === 1) return containers[0]!;
    const served = await Promise.all(
      containers.map((container) =>
        this._api
          .serving(container)
          .models(signal)
          .then((models) => models.some((summary) => summary.name === model))
          .catch(() => false),
      ),
    );
    return containers[served.indexOf(true)] ?? containers[0]!;
  }

  /** Follows the events of the container that serves the model (the model's only). */
  private _follow(container: string): void {
    if (this.#followed === container) return;
    this.#stop?.();
    this.#followed = container;
    this.#stop = this._api.servingEvents(container).subscribe({
      version: (info) => {
        if (info.model === this.model) this._reload();
      },
      alias: (change) => {
        if (change.model === this.model) this._reload();
      },
      open: () => this._reload(),
    });
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
    const container = this._view.value?.container;
    if (!confirmed || container === undefined) return;
    this._switching = true;
    try {
      await this._switch.run([container, event.version]);
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
