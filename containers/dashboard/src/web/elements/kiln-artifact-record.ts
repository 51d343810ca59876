import type { ArtifactRecord } from '@kiln/api';
import { consume } from '@lit/context';
import { Task } from '@lit/task';
import { html, LitElement, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { apiContext } from '../api/api-context.js';
import type { KilnApi } from '../api/kiln-api.js';
import { artifactPath, dataFilePath, type Collection } from '../api/paths.js';
import { locateArtifact } from '../model/artifact-links.js';
import { formatBytes } from '../model/format.js';
import { href } from '../router/route.js';
import { sharedStyles } from '../styles/shared-styles.js';

/** Where an artifact lives, as the dashboard addresses it. */
export interface ArtifactLocation {
  container: string;
  collection: Collection;
  artifact: string;
}

/**
 * What an artifact was made from and what it made: its parameters (an artifact reference into
 * the project shown as a link to that artifact), its input files and its data files, each with
 * a download link.
 */
@customElement('kiln-artifact-record')
export class KilnArtifactRecord extends LitElement {
  static override styles = sharedStyles;

  /** The artifact's record (`GET …/{name}/`). */
  @property({ attribute: false }) record: ArtifactRecord | undefined;
  @property({ attribute: false }) location: ArtifactLocation = {
    container: '',
    collection: 'artifacts',
    artifact: '',
  };
  /** Whether the data can be downloaded yet. */
  @property({ type: Boolean }) completed = false;

  @consume({ context: apiContext }) private _api!: KilnApi;

  /** The project's container names, to tell references into it from other URLs. */
  private _containers = new Task(this, {
    task: () => this._api.containerNames(),
    args: () => [] as [],
  });

  override render() {
    const record = this.record;
    if (!record) return nothing;
    return html`${this._renderParameters(record)} ${this._renderInputFiles(record)}
    ${this._renderFiles(record, this.completed)}`;
  }

  private _renderParameters(record: ArtifactRecord) {
    const entries = Object.entries(record.parameters);
    const containers = this._containers.value ?? new Set<string>();
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
                  ${entries.map(([key, value]) => {
                    const reference = record.inputs.find((input) => input.parameter === key);
                    const target = reference
                      ? locateArtifact(reference.url, containers)
                      : undefined;
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
                  })}
                </tbody>
              </table>
            </div>`
      }
    </section>`;
  }

  private _renderInputFiles(record: ArtifactRecord) {
    if (record.inputFiles.length === 0) return nothing;
    const { container, collection, artifact } = this.location;
    const base = artifactPath(container, collection, artifact);
    return html`<section aria-labelledby="inputs-heading">
      <h3 id="inputs-heading">Input files</h3>
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">Input</th>
              <th scope="col">File</th>
              <th scope="col" class="num">Size</th>
              <th scope="col">SHA-256</th>
            </tr>
          </thead>
          <tbody>
            ${record.inputFiles.map(
              (file) =>
                html`<tr>
                  <th scope="row">${file.name}</th>
                  <td>
                    <a
                      href=${`${base}/input-files/${encodeURIComponent(file.name)}`}
                      download=${file.filename}
                      >${file.filename}</a
                    >
                  </td>
                  <td class="num">${formatBytes(file.size)}</td>
                  <td><code title=${file.sha256}>${file.sha256.slice(0, 12)}…</code></td>
                </tr>`,
            )}
          </tbody>
        </table>
      </div>
    </section>`;
  }

  private _renderFiles(record: ArtifactRecord, completed: boolean) {
    return html`<section aria-labelledby="files-heading">
      <h3 id="files-heading">Data files</h3>
      ${
        !completed
          ? html`<p class="muted">The data can be downloaded once the artifact is completed.</p>`
          : record.files.length === 0
            ? html`<p class="muted">This artifact has no data files.</p>`
            : html`<div class="table-wrap">
                <table>
                  <thead>
                    <tr>
                      <th scope="col">File</th>
                      <th scope="col" class="num">Size</th>
                    </tr>
                  </thead>
                  <tbody>
                    ${record.files.map(
                      (file) =>
                        html`<tr>
                          <td>
                            <a
                              href=${dataFilePath(this.location.container, this.location.collection, this.location.artifact, file.path)}
                              download
                              >${file.path}</a
                            >
                          </td>
                          <td class="num">${formatBytes(file.size)}</td>
                        </tr>`,
                    )}
                  </tbody>
                </table>
              </div>`
      }
      ${record.digest ? html`<p class="muted">Digest <code>${record.digest}</code></p>` : nothing}
    </section>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'kiln-artifact-record': KilnArtifactRecord;
  }
}
