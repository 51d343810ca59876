import type { ArtifactRecord } from '@kiln/api';
import { consume } from '@lit/context';
import { Task } from '@lit/task';
import { html, LitElement, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { apiContext } from '../api/api-context.js';
import type { KilnApi } from '../api/kiln-api.js';
import { locateArtifact } from '../model/artifact-links.js';
import { href } from '../router/route.js';
import { sharedStyles } from '../styles/shared-styles.js';

/**
 * The parameters an artifact was made with, as validated. A parameter that refers to another
 * artifact of the project, in compose form (`http://import:8080/artifacts/x/`) or as a link
 * through the gateway, becomes a link to that artifact's page.
 */
@customElement('kiln-artifact-parameters')
export class KilnArtifactParameters extends LitElement {
  static override styles = [sharedStyles];

  @property({ attribute: false }) record: ArtifactRecord | undefined;

  @consume({ context: apiContext }) private _api!: KilnApi;

  /** The project's container names, to tell references into it from other URLs. */
  private _containers = new Task(this, {
    task: () => this._api.containerNames(),
    args: () => [] as const,
  });

  override render() {
    if (!this.record) return nothing;
    const entries = Object.entries(this.record.parameters);
    return html`<section aria-labelledby="parameters-heading">
      <h3 id="parameters-heading">Parameters</h3>
      ${
        entries.length === 0
          ? html`<p class="muted">No parameters.</p>`
          : html`<div class="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Parameter</th>
                    <th scope="col">Value</th>
                  </tr>
                </thead>
                <tbody>
                  ${entries.map(([key, value]) => this._renderRow(key, value))}
                </tbody>
              </table>
            </div>`
      }
    </section>`;
  }

  private _renderRow(key: string, value: unknown) {
    const reference = this.record?.inputs.find((input) => input.parameter === key);
    const containers = this._containers.value ?? new Set<string>();
    const target = reference ? locateArtifact(reference.url, containers) : undefined;
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    return html`<tr>
      <th scope="row"><code>${key}</code></th>
      <td>
        ${
          target
            ? html`<a href=${href.artifact(target.container, target.artifact)}
                  >${target.container}/${target.artifact}</a
                >
                <span class="muted">(${text})</span>`
            : html`<code>${text}</code>`
        }
      </td>
    </tr>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'kiln-artifact-parameters': KilnArtifactParameters;
  }
}
