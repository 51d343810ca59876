import type { ModelVersionInfo } from '@kiln/api';
import { css, html, LitElement, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { AliasRequestEvent } from '../events/kiln-events.js';
import { formatTime } from '../model/format.js';
import { sharedStyles } from '../styles/shared-styles.js';
import './kiln-version-badge.js';

const percent = (value: number | null | undefined): string =>
  value === null || value === undefined ? '–' : `${(value * 100).toFixed(1)}%`;
const ms = (value: number | undefined): string => (value === undefined ? '–' : value.toFixed(2));

/**
 * A model's versions with their benchmark figures (accuracy on the evaluation set, latency and
 * throughput inside the model's process, load time), status and aliases. Each version that can
 * serve and is not the champion has a button that asks (with {@link AliasRequestEvent}) to make
 * it champion: "Promote" for a newer version, "Roll back" for an older one.
 */
@customElement('kiln-version-table')
export class KilnVersionTable extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      .aliases span {
        display: inline-block;
        padding: 0 0.4rem;
        margin-right: 0.25rem;
        border-radius: 4px;
        background: #1b1f24;
        color: #fff;
        font-size: 0.8rem;
      }
      .reason {
        color: #82071e;
        max-width: 22rem;
        overflow-wrap: anywhere;
      }
      td button {
        min-height: 2rem;
        padding: 0.2rem 0.6rem;
        white-space: nowrap;
      }
    `,
  ];

  /** The versions, newest first. */
  @property({ attribute: false }) versions: ModelVersionInfo[] = [];
  /** The champion's version, if any. */
  @property({ type: Number }) champion: number | undefined;
  /** While true, the buttons are disabled (a switch is under way). */
  @property({ type: Boolean }) busy = false;

  override render() {
    if (this.versions.length === 0) return html`<p class="muted">No version yet.</p>`;
    return html`<div class="table-wrap">
      <table>
        <caption class="visually-hidden">
          Versions
        </caption>
        <thead>
          <tr>
            <th scope="col">Version</th>
            <th scope="col">Status</th>
            <th scope="col">Aliases</th>
            <th scope="col" class="num">Accuracy</th>
            <th scope="col" class="num">p50 / p99 ms</th>
            <th scope="col" class="num">Images/s</th>
            <th scope="col" class="num">Load ms</th>
            <th scope="col">Created</th>
            <th scope="col">From</th>
            <th scope="col"><span class="visually-hidden">Actions</span></th>
          </tr>
        </thead>
        <tbody>
          ${this.versions.map((version) => this._renderRow(version))}
        </tbody>
      </table>
    </div>`;
  }

  private _renderRow(version: ModelVersionInfo) {
    const figures = version.figures;
    const evaluated = figures?.evaluation
      ? `${figures.correct}/${figures.count} right on '${figures.evaluation.set}'`
      : 'no evaluation set';
    return html`<tr>
      <th scope="row">v${version.version}</th>
      <td><kiln-version-badge status=${version.status}></kiln-version-badge></td>
      <td class="aliases">
        ${
          version.aliases.length === 0
            ? html`<span class="visually-hidden">none</span>`
            : version.aliases.map((alias) => html`<span>${alias}</span>`)
        }
      </td>
      <td class="num" title=${figures ? evaluated : ''}>${percent(figures?.accuracy)}</td>
      <td class="num">${ms(figures?.latency.p50Ms)} / ${ms(figures?.latency.p99Ms)}</td>
      <td class="num">
        ${figures ? Math.round(figures.samplesPerSecond).toLocaleString('en') : '–'}
      </td>
      <td class="num">${figures ? Math.round(figures.loadMs) : '–'}</td>
      <td>${formatTime(version.createdAt)}</td>
      <td>
        ${
          version.reason
            ? html`<span class="reason">${version.reason}</span>`
            : version.source
              ? html`run <code>${version.source.run}</code>`
              : html`<code>${version.artifact}</code>`
        }
      </td>
      <td>${this._renderAction(version)}</td>
    </tr>`;
  }

  private _renderAction(version: ModelVersionInfo) {
    const usable = version.status === 'ready' || version.status === 'retired';
    if (!usable || version.version === this.champion) return nothing;
    const action =
      this.champion !== undefined && version.version < this.champion ? 'roll back' : 'promote';
    const label =
      action === 'roll back' ? `Roll back to v${version.version}` : `Promote v${version.version}`;
    return html`<button
      type="button"
      class=${action === 'promote' ? 'primary' : ''}
      ?disabled=${this.busy}
      @click=${() => this._onRequest(version.version, action)}
    >
      ${label}
    </button>`;
  }

  private _onRequest(version: number, action: 'promote' | 'roll back'): void {
    this.dispatchEvent(new AliasRequestEvent('champion', version, action));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'kiln-version-table': KilnVersionTable;
  }
}
