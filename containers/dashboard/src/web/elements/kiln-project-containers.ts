import type { ContainerListing } from '@kiln/api';
import { consume } from '@lit/context';
import { Task } from '@lit/task';
import { html, LitElement } from 'lit';
import { customElement } from 'lit/decorators.js';
import { apiContext } from '../api/api-context.js';
import { describeError } from '../api/api-error.js';
import type { KilnApi } from '../api/kiln-api.js';
import { href } from '../router/route.js';
import { sharedStyles } from '../styles/shared-styles.js';
import './kiln-status-badge.js';

/**
 * Every container of the project (`GET /containers/`), as `docker-compose.yml` declares them:
 * what each one makes, its health and the pipelines that use it. A tool that no pipeline uses
 * is here too, with a link to make an artifact of it.
 */
@customElement('kiln-project-containers')
export class KilnProjectContainers extends LitElement {
  static override styles = sharedStyles;

  @consume({ context: apiContext }) private _api!: KilnApi;

  private _containers = new Task(this, {
    task: (_args: [], { signal }) => this._api.projectContainers(signal),
    args: () => [] as [],
  });

  override render() {
    return this._containers.render({
      pending: () => html`<p class="muted" role="status">Loading containers…</p>`,
      error: (error) =>
        html`<p class="error-box" role="alert">
          Could not list the containers: ${describeError(error)}
        </p>`,
      complete: (containers) =>
        containers.length === 0
          ? html`<p>This project has no containers.</p>`
          : html`<div class="table-wrap">
              <table>
                <caption class="visually-hidden">
                  Containers of the project
                </caption>
                <thead>
                  <tr>
                    <th scope="col">Container</th>
                    <th scope="col">Kind</th>
                    <th scope="col">Makes</th>
                    <th scope="col">Health</th>
                    <th scope="col">Used by</th>
                    <th scope="col"><span class="visually-hidden">Actions</span></th>
                  </tr>
                </thead>
                <tbody>
                  ${containers.map((container) => this._renderRow(container))}
                </tbody>
              </table>
            </div>`,
    });
  }

  private _renderRow(container: ContainerListing) {
    const pipeline = container.kind === 'pipeline';
    return html`<tr>
      <th scope="row">${container.name}</th>
      <td>${container.kind ?? 'not answering'}</td>
      <td>${container.artifactType}</td>
      <td>
        <kiln-status-badge
          status=${container.healthy ? 'healthy' : 'unhealthy'}
        ></kiln-status-badge>
      </td>
      <td>${container.pipelines.join(', ') || html`<span class="muted">none</span>`}</td>
      <td>
        ${
          pipeline
            ? html`<a href=${href.pipeline(container.name)} aria-label=${`Open ${container.name}`}
                >Open</a
              >`
            : html`<a
                href=${href.create(container.name)}
                aria-label=${`New ${container.name} artifact`}
                >New artifact</a
              >`
        }
      </td>
    </tr>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'kiln-project-containers': KilnProjectContainers;
  }
}
