import type { RetrainInfo, RetrainStatus } from '@kiln/api';
import { css, html, LitElement, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { locateArtifact } from '../model/artifact-links.js';
import { formatDuration, formatTime } from '../model/format.js';
import { href } from '../router/route.js';
import { sharedStyles } from '../styles/shared-styles.js';
import './kiln-gate-verdict.js';

/** A glyph per status, so the state reads without colour too. */
const GLYPHS: Record<RetrainStatus, string> = {
  snapshotting: '◔',
  running: '◐',
  gating: '◑',
  promoted: '✓',
  rejected: '⊘',
  failed: '✕',
  cancelled: '○',
};

/** What each status means, in a few words. */
const MEANINGS: Record<RetrainStatus, string> = {
  snapshotting: 'writing its labels as a snapshot',
  running: 'training',
  gating: 'loading and judging its model',
  promoted: 'its model is the champion',
  rejected: 'its model was not good enough',
  failed: 'failed',
  cancelled: 'cancelled',
};

/**
 * The retraining runs a model's labels started, newest first: what started each, its labels,
 * its pipeline run (linked to the run's page), its snapshot, the version its model became, and
 * the gate's verdict with both versions' figures side by side.
 */
@customElement('kiln-retrain-list')
export class KilnRetrainList extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      ol {
        list-style: none;
        margin: 0;
        padding: 0;
        display: grid;
        gap: 0.75rem;
      }
      li {
        border: 1px solid var(--kiln-border, #d0d7de);
        border-radius: 6px;
        padding: 0.75rem;
        display: grid;
        grid-template-columns: minmax(14rem, 1fr) minmax(16rem, 1.4fr);
        gap: 0.5rem 1.25rem;
      }
      h4 {
        margin: 0 0 0.35rem;
        font-size: 1rem;
      }
      .status {
        display: inline-block;
        padding: 0.05rem 0.5rem;
        border-radius: 999px;
        border: 1px solid currentColor;
        font-size: 0.8rem;
        font-weight: 600;
      }
      .promoted {
        color: #116329;
        background: #dafbe1;
      }
      .rejected {
        color: #6e4a00;
        background: #fff1c2;
      }
      .failed {
        color: #a40e26;
        background: #ffebe9;
      }
      .cancelled {
        color: #424a53;
        background: #eef1f4;
      }
      .snapshotting,
      .running,
      .gating {
        color: #0b4f94;
        background: #ddeeff;
      }
      .reason {
        color: #82071e;
        overflow-wrap: anywhere;
      }
      @media (max-width: 48rem) {
        li {
          grid-template-columns: 1fr;
        }
      }
    `,
  ];

  /** The runs, newest first. */
  @property({ attribute: false }) runs: RetrainInfo[] = [];
  /** The serving container, by its name behind the gateway: where the snapshots are. */
  @property() container = '';

  override render() {
    if (this.runs.length === 0) {
      return html`<p class="muted">
        No retraining run yet: one starts when enough labels have accrued, or with "Retrain now".
      </p>`;
    }
    return html`<ol aria-label="Retraining runs">
      ${this.runs.map((run) => this._renderRun(run))}
    </ol>`;
  }

  private _renderRun(run: RetrainInfo) {
    const snapshot = run.snapshot
      ? locateArtifact(run.snapshot, new Set([this.container]))
      : undefined;
    return html`<li aria-label="Retraining run ${run.id}">
      <div>
        <h4>
          Run ${run.id}
          <span class="status ${run.status}" title=${MEANINGS[run.status]}
            ><span aria-hidden="true">${GLYPHS[run.status]}</span> ${run.status}</span
          >
        </h4>
        <dl class="fields">
          <dt>Started</dt>
          <dd>
            ${formatTime(run.createdAt)}
            (${run.trigger === 'manual' ? 'by hand' : 'at the threshold'}),
            ${formatDuration(run.createdAt, run.finishedAt)}
          </dd>
          <dt>Labels</dt>
          <dd>${run.labels} new; ${run.trained} trained on in all</dd>
          <dt>Pipeline run</dt>
          <dd><a href=${href.run(run.pipeline, run.run)}>${run.run}</a></dd>
          ${
            snapshot
              ? html`<dt>Snapshot</dt>
                  <dd>
                    <a href=${href.artifact(snapshot.container, snapshot.artifact)}
                      >${snapshot.artifact}</a
                    >
                  </dd>`
              : nothing
          }
          ${
            run.version === null
              ? nothing
              : html`<dt>Version</dt>
                  <dd>v${run.version}</dd>`
          }
        </dl>
        ${run.reason ? html`<p class="reason">${run.reason}</p>` : nothing}
      </div>
      <div>
        ${
          run.verdict
            ? html`<kiln-gate-verdict .verdict=${run.verdict}></kiln-gate-verdict>`
            : html`<p class="muted">${MEANINGS[run.status]}</p>`
        }
      </div>
    </li>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'kiln-retrain-list': KilnRetrainList;
  }
}
