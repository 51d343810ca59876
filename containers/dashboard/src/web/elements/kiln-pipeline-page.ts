import { consume } from '@lit/context';
import { Task } from '@lit/task';
import { css, html, LitElement } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { apiContext } from '../api/api-context.js';
import { describeError } from '../api/api-error.js';
import type { KilnApi } from '../api/kiln-api.js';
import { href } from '../router/route.js';
import { sharedStyles } from '../styles/shared-styles.js';
import './kiln-artifact-table.js';
import './kiln-container-list.js';
import './kiln-task-details.js';

/** One pipeline: its task, its containers with their health, its runs and every artifact. */
@customElement('kiln-pipeline-page')
export class KilnPipelinePage extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      .heading-row {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem 1rem;
        align-items: center;
        margin: 1.5rem 0 0.5rem;
      }
      .heading-row h3 {
        margin: 0;
      }
    `,
  ];

  @property() pipeline = '';

  @consume({ context: apiContext }) private _api!: KilnApi;

  private _task = new Task(this, {
    task: ([pipeline]: [string], { signal }) => this._api.task(pipeline, signal),
    args: () => [this.pipeline] as [string],
  });

  override willUpdate(): void {
    document.title = `${this.pipeline} · Kiln`;
  }

  override render() {
    return html`
      <nav aria-label="Breadcrumb" class="muted"><a href=${href.home()}>Pipelines</a> ›</nav>
      <h2>${this.pipeline}</h2>
      <section aria-labelledby="task-heading">
        <h3 id="task-heading">Task</h3>
        ${this._task.render({
          pending: () => html`<p class="muted" role="status">Loading the task…</p>`,
          error: (error) =>
            html`<p class="error-box" role="alert">
              Could not load the task: ${describeError(error)}
            </p>`,
          complete: (task) => html`<kiln-task-details .task=${task}></kiln-task-details>`,
        })}
      </section>
      <section aria-labelledby="containers-heading">
        <h3 id="containers-heading">Containers</h3>
        <kiln-container-list .pipeline=${this.pipeline}></kiln-container-list>
      </section>
      <section aria-labelledby="runs-heading">
        <div class="heading-row">
          <h3 id="runs-heading">Runs</h3>
          <a class="button primary" href=${href.startRun(this.pipeline)}>Start a run</a>
        </div>
        <kiln-artifact-table
          .pipeline=${this.pipeline}
          mode="runs"
          label="Runs"
        ></kiln-artifact-table>
      </section>
      <section aria-labelledby="artifacts-heading">
        <h3 id="artifacts-heading">Artifacts</h3>
        <kiln-artifact-table
          .pipeline=${this.pipeline}
          mode="artifacts"
          label="Artifacts"
        ></kiln-artifact-table>
      </section>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'kiln-pipeline-page': KilnPipelinePage;
  }
}
