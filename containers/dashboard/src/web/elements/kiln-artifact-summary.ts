import type { ArtifactSummary } from '@kiln/api';
import { css, html, LitElement, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { refChanged, type ArtifactRef } from '../model/artifact-ref.js';
import { formatDuration, formatPercent, formatTime } from '../model/format.js';
import { sharedStyles } from '../styles/shared-styles.js';

/**
 * An artifact's state at a glance: its container, progress and message, error, times, attempt
 * and where it was cached from. The page gives it the newest summary it has.
 */
@customElement('kiln-artifact-summary')
export class KilnArtifactSummary extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      .error {
        color: #a40e26;
      }
      @media (max-width: 40rem) {
        dl.fields {
          grid-template-columns: 1fr;
        }
      }
    `,
  ];

  @property({ attribute: false, hasChanged: refChanged }) ref: ArtifactRef | undefined;
  @property({ attribute: false }) summary: ArtifactSummary | undefined;

  override render() {
    const { ref, summary } = this;
    if (!ref || !summary) return nothing;
    return html`<section aria-labelledby="summary-heading">
      <h3 id="summary-heading" class="visually-hidden">Summary</h3>
      <dl class="fields">
        <dt>Container</dt>
        <dd>${ref.container}</dd>
        <dt>Progress</dt>
        <dd>
          <progress max="1" .value=${summary.progress} aria-label="Progress"></progress>
          ${formatPercent(summary.progress)}
          ${summary.message ? html`· ${summary.message}` : nothing}
        </dd>
        ${
          summary.error
            ? html`<dt>Error</dt>
                <dd class="error">${summary.error}</dd>`
            : nothing
        }
        <dt>Created</dt>
        <dd>${formatTime(summary.createdAt)}</dd>
        <dt>Started</dt>
        <dd>${formatTime(summary.startedAt)}</dd>
        <dt>Finished</dt>
        <dd>${formatTime(summary.finishedAt)}</dd>
        <dt>Duration</dt>
        <dd>${formatDuration(summary.startedAt, summary.finishedAt)}</dd>
        <dt>Attempt</dt>
        <dd>${summary.attempt}</dd>
        <dt>Cached</dt>
        <dd>
          ${summary.cached ? html`yes${summary.cachedFrom ? html`, from ${summary.cachedFrom}` : nothing}` : 'no'}
        </dd>
      </dl>
    </section>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'kiln-artifact-summary': KilnArtifactSummary;
  }
}
