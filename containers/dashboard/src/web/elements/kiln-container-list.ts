import { consume } from '@lit/context';
import { Task } from '@lit/task';
import { html, LitElement } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { apiContext } from '../api/api-context.js';
import { describeError } from '../api/api-error.js';
import type { KilnApi } from '../api/kiln-api.js';
import { href } from '../router/route.js';
import { sharedStyles } from '../styles/shared-styles.js';
import './kiln-status-badge.js';

/** The containers of a pipeline with their category, artifact type and health. */
@customElement('kiln-container-list')
export class KilnContainerList extends LitElement {
  static override styles = sharedStyles;

  @property() pipeline = '';

  @consume({ context: apiContext }) private _api!: KilnApi;

  private _containers = new Task(this, {
    task: ([pipeline]: [string], { signal }) => this._api.containers(pipeline, signal),
    args: () => [this.pipeline] as [string],
  });

  override render() {
    return this._containers.render({
      pending: () => html`<p class="muted" role="status">Loading containers…</p>`,
      error: (error) =>
        html`<p class="error-box" role="alert">
          Could not list the containers: ${describeError(error)}
        </p>`,
      complete: (containers) => html`
        <div class="table-wrap">
          <table>
            <caption class="visually-hidden">
              Containers of ${this.pipeline}
            </caption>
            <thead>
              <tr>
                <th scope="col">Container</th>
                <th scope="col">Category</th>
                <th scope="col">Makes</th>
                <th scope="col">Description</th>
                <th scope="col">Health</th>
                <th scope="col"><span class="visually-hidden">Actions</span></th>
              </tr>
            </thead>
            <tbody>
              ${containers.map(
                (container) =>
                  html`<tr>
                    <th scope="row">${container.name}</th>
                    <td>${container.category}</td>
                    <td>${container.artifactType}</td>
                    <td>${container.description}</td>
                    <td>
                      <kiln-status-badge
                        status=${container.healthy ? 'healthy' : 'unhealthy'}
                      ></kiln-status-badge>
                    </td>
                    <td>
                      <a
                        href=${href.create(container.name, this.pipeline)}
                        aria-label=${`New ${container.name} artifact`}
                        >New artifact</a
                      >
                    </td>
                  </tr>`,
              )}
            </tbody>
          </table>
        </div>
        <p class="actions">
          <button type="button" @click=${this._onRefresh}>Check health again</button>
        </p>
      `,
    });
  }

  private _onRefresh(): void {
    void this._containers.run();
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'kiln-container-list': KilnContainerList;
  }
}
