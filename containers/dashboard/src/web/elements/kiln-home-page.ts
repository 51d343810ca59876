import { consume } from '@lit/context';
import { Task } from '@lit/task';
import { css, html, LitElement, nothing } from 'lit';
import { customElement } from 'lit/decorators.js';
import { apiContext } from '../api/api-context.js';
import { describeError } from '../api/api-error.js';
import type { PipelineListing } from '@kiln/api';
import { TENSORBOARD_PATH, type KilnApi } from '../api/kiln-api.js';
import { href } from '../router/route.js';
import { sharedStyles } from '../styles/shared-styles.js';
import './kiln-project-containers.js';

/** The project's pipelines, each with its task's name and description, then every container. */
@customElement('kiln-home-page')
export class KilnHomePage extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      h3#metrics-heading,
      h2#containers-heading {
        margin-top: 2rem;
      }
      ul {
        list-style: none;
        padding: 0;
        margin: 0;
        display: grid;
        gap: 1rem;
        grid-template-columns: repeat(auto-fill, minmax(min(100%, 22rem), 1fr));
      }
      h3 {
        margin: 0 0 0.35rem;
      }
      .task {
        margin: 0 0 0.5rem;
      }
      .description {
        margin: 0;
        white-space: pre-line;
      }
    `,
  ];

  @consume({ context: apiContext }) private _api!: KilnApi;

  private _pipelines = new Task(this, {
    task: (_args: [], { signal }) => this._api.pipelines(signal),
    args: () => [] as [],
  });

  private _visualization = new Task(this, {
    task: (_args: [], { signal }) => this._api.hasVisualization(signal).catch(() => false),
    args: () => [] as [],
  });

  override connectedCallback(): void {
    super.connectedCallback();
    document.title = 'Pipelines · Kiln';
  }

  override render() {
    return html`<h2>Pipelines</h2>
      ${this._pipelines.render({
        pending: () => html`<p class="muted" role="status">Loading pipelines…</p>`,
        error: (error) =>
          html`<p class="error-box" role="alert">
            Could not list the pipelines: ${describeError(error)}
          </p>`,
        complete: (pipelines) =>
          pipelines.length === 0
            ? html`<p>
                This project has no pipelines yet: a service of its
                <code>docker-compose.yml</code> that serves a pipeline module shows here once it
                answers.
              </p>`
            : html`<ul>
                ${pipelines.map((pipeline) => this._renderPipeline(pipeline))}
              </ul>`,
      })}
      <section aria-labelledby="containers-heading">
        <h2 id="containers-heading">Containers</h2>
        <kiln-project-containers></kiln-project-containers>
      </section>
      ${
        this._visualization.value
          ? html`<section aria-labelledby="metrics-heading">
              <h3 id="metrics-heading">Metrics</h3>
              <p>
                <a class="button" href=${TENSORBOARD_PATH} download
                  >Download every series for TensorBoard (zip)</a
                >
              </p>
              <p class="muted">Unzip it and run <code>tensorboard --logdir</code> on the folder.</p>
            </section>`
          : nothing
      }`;
  }

  private _renderPipeline(pipeline: PipelineListing) {
    return html`<li class="card">
      <h3><a href=${href.pipeline(pipeline.name)}>${pipeline.name}</a></h3>
      ${
        pipeline.available === false
          ? html`<p class="error-box">This pipeline is not answering.</p>`
          : html`<p class="task"><code>${pipeline.task.name}</code></p>`
      }
      <p class="description">${pipeline.task.description}</p>
    </li>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'kiln-home-page': KilnHomePage;
  }
}
