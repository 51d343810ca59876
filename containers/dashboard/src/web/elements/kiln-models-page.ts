import { consume } from '@lit/context';
import { Task } from '@lit/task';
import { css, html, LitElement } from 'lit';
import { customElement } from 'lit/decorators.js';
import { apiContext } from '../api/api-context.js';
import { describeError } from '../api/api-error.js';
import type { KilnApi } from '../api/kiln-api.js';
import { href } from '../router/route.js';
import { sharedStyles } from '../styles/shared-styles.js';

/** The models the project's serving container serves, each with its aliases; kept live. */
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

  #stop: (() => void) | undefined;

  private _models = new Task(this, {
    task: async (_args: [], { signal }) => {
      const serving = await this._api.serving.describe(signal);
      return serving ? this._api.serving.models(signal) : null;
    },
    args: () => [] as [],
  });

  override connectedCallback(): void {
    super.connectedCallback();
    document.title = 'Models · Kiln';
    this.#stop = this._api.servingEvents.subscribe({
      alias: () => void this._models.run(),
      version: (info) => {
        if (info.version === 1 || info.status !== 'loading') void this._models.run();
      },
    });
  }

  override disconnectedCallback(): void {
    this.#stop?.();
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
        complete: (models) =>
          models === null
            ? html`<p>This project has no serving container.</p>`
            : models.length === 0
              ? html`<p>
                  No model is served yet. The example project serves the model of the first
                  completed run of <code>fashion-mnist</code> by itself; any model artifact can be
                  registered with <code>kiln register &lt;model&gt; &lt;artifact URL&gt;</code>.
                </p>`
              : html`<ul>
                  ${models.map(
                    (model) =>
                      html`<li class="card">
                        <h3><a href=${href.serving(model.name)}>${model.name}</a></h3>
                        <p>
                          Champion:
                          <strong
                            >${model.aliases.champion === undefined ? 'none yet' : `v${model.aliases.champion}`}</strong
                          >
                        </p>
                        <p>
                          Challenger:
                          ${model.aliases.challenger === undefined ? 'none' : `v${model.aliases.challenger}`}
                        </p>
                        <p class="muted">
                          ${model.versions} version${model.versions === 1 ? '' : 's'}
                        </p>
                      </li>`,
                  )}
                </ul>`,
      })}`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'kiln-models-page': KilnModelsPage;
  }
}
