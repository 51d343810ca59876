import type { ModelSummary } from '@kiln/api';
import { consume } from '@lit/context';
import { Task } from '@lit/task';
import { css, html, LitElement } from 'lit';
import { customElement } from 'lit/decorators.js';
import { apiContext } from '../api/api-context.js';
import { describeError } from '../api/api-error.js';
import type { KilnApi } from '../api/kiln-api.js';
import { href } from '../router/route.js';
import { sharedStyles } from '../styles/shared-styles.js';

/** The models one serving container serves. */
interface ServedModels {
  container: string;
  models: ModelSummary[];
}

/**
 * The models the project's serving containers serve (every container whose `GET /` says
 * `kind: "serving"`), each with its aliases; kept live through each container's `/events`.
 */
@customElement('kiln-models-page')
export class KilnModelsPage extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      ul {
        list-style: none;
        padding: 0;
        margin: 0;
        display: grid;
        gap: 1rem;
        grid-template-columns: repeat(auto-fill, minmax(min(100%, 18rem), 1fr));
      }
      h3 {
        margin: 0 0 0.35rem;
      }
      p {
        margin: 0.2rem 0;
      }
    `,
  ];

  @consume({ context: apiContext }) private _api!: KilnApi;

  /** Container → the function that stops following its events. */
  readonly #stops = new Map<string, () => void>();

  private _models = new Task(this, {
    task: async (_args: [], { signal }): Promise<ServedModels[]> => {
      const containers = await this._api.servingContainers(signal);
      this._follow(containers);
      return Promise.all(
        containers.map(async (container) => ({
          container,
          models: await this._api.serving(container).models(signal),
        })),
      );
    },
    args: () => [] as [],
  });

  override connectedCallback(): void {
    super.connectedCallback();
    document.title = 'Models · Kiln';
  }

  override disconnectedCallback(): void {
    this._follow([]);
    super.disconnectedCallback();
  }

  override render() {
    return html`<h2>Models</h2>
      ${this._models.render({
        pending: () => html`<p class="muted" role="status">Loading the models…</p>`,
        error: (error) =>
          html`<p class="error-box" role="alert">
            Could not list the models: ${describeError(error)}
          </p>`,
        complete: (served) =>
          served.length === 0
            ? html`<p>This project has no serving container.</p>`
            : served.map((group) =>
                served.length === 1
                  ? this._renderModels(group)
                  : html`<section aria-label=${`Served by ${group.container}`}>
                      <p class="muted">Served by <code>${group.container}</code></p>
                      ${this._renderModels(group)}
                    </section>`,
              ),
      })}`;
  }

  private _renderModels({ container, models }: ServedModels) {
    if (models.length === 0) {
      return html`<p>
        No model is served yet. The example project serves the model of the first completed run of
        <code>fashion-mnist</code> by itself; any model artifact can be registered with
        <code>kiln register &lt;model&gt; &lt;artifact URL&gt;</code>.
      </p>`;
    }
    return html`<ul>
      ${models.map(
        (model) =>
          html`<li class="card">
            <h3><a href=${href.serving(model.name, container)}>${model.name}</a></h3>
            <p>
              Champion:
              <strong
                >${
                  model.aliases.champion === undefined ? 'none yet' : `v${model.aliases.champion}`
                }</strong
              >
            </p>
            <p>
              Challenger:
              ${model.aliases.challenger === undefined ? 'none' : `v${model.aliases.challenger}`}
            </p>
            <p class="muted">${model.versions} version${model.versions === 1 ? '' : 's'}</p>
          </li>`,
      )}
    </ul>`;
  }

  /** Follows the events of exactly these containers: a version or alias change lists again. */
  private _follow(containers: readonly string[]): void {
    for (const [container, stop] of this.#stops) {
      if (containers.includes(container)) continue;
      stop();
      this.#stops.delete(container);
    }
    for (const container of containers) {
      if (this.#stops.has(container)) continue;
      const stop = this._api.servingEvents(container).subscribe({
        alias: () => void this._models.run(),
        version: (info) => {
          if (info.version === 1 || info.status !== 'loading') void this._models.run();
        },
      });
      this.#stops.set(container, stop);
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'kiln-models-page': KilnModelsPage;
  }
}
