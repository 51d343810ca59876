import type { ArtifactRecord, InputFileEntry } from '@kiln/api';
import { html, LitElement, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { artifactPath, dataFilePath } from '../api/paths.js';
import { refChanged, type ArtifactRef } from '../model/artifact-ref.js';
import { formatBytes } from '../model/format.js';
import { sharedStyles } from '../styles/shared-styles.js';

/**
 * An artifact's files, each a download link: the input files it was given, then its data files
 * (once it is completed) with the digest that fixes them.
 */
@customElement('kiln-artifact-files')
export class KilnArtifactFiles extends LitElement {
  static override styles = [sharedStyles];

  @property({ attribute: false, hasChanged: refChanged }) ref: ArtifactRef | undefined;
  @property({ attribute: false }) record: ArtifactRecord | undefined;
  /** Whether the artifact is completed: its data can be downloaded only then. */
  @property({ type: Boolean }) completed = false;

  override render() {
    const { ref, record } = this;
    if (!ref || !record) return nothing;
    return html`${this._renderInputFiles(ref, record.inputFiles)}
    ${this._renderDataFiles(ref, record)}`;
  }

  private _renderInputFiles(ref: ArtifactRef, files: readonly InputFileEntry[]) {
    if (files.length === 0) return nothing;
    const base = artifactPath(ref.container, ref.collection, ref.artifact);
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
            ${files.map(
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

  private _renderDataFiles(ref: ArtifactRef, record: ArtifactRecord) {
    return html`<section aria-labelledby="files-heading">
      <h3 id="files-heading">Data files</h3>
      ${
        !this.completed
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
                              href=${dataFilePath(ref.container, ref.collection, ref.artifact, file.path)}
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
    'kiln-artifact-files': KilnArtifactFiles;
  }
}
