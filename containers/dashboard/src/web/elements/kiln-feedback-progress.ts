import type { FeedbackStats, RetrainPolicy } from '@kiln/api';
import { css, html, LitElement, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { RetrainRequestEvent } from '../events/kiln-events.js';
import { sharedStyles } from '../styles/shared-styles.js';

/**
 * A model's progress toward its next retraining run: the labels waiting against the policy's
 * threshold, the run in flight if any, what the policy says, and a button that asks (with a
 * {@link RetrainRequestEvent}) for a run now.
 */
@customElement('kiln-feedback-progress')
export class KilnFeedbackProgress extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      .bar {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 0.5rem 1rem;
      }
      progress {
        width: min(100%, 20rem);
        height: 1rem;
        accent-color: var(--kiln-primary, #1f6f3f);
      }
      p {
        margin: 0.35rem 0;
      }
    `,
  ];

  @property({ attribute: false }) stats: FeedbackStats | undefined;
  @property({ attribute: false }) policy: RetrainPolicy | undefined;
  /** While true, the button is disabled (a request is under way). */
  @property({ type: Boolean }) busy = false;

  override render() {
    const { stats, policy } = this;
    if (!stats || !policy) return nothing;
    const automatic = policy.enabled && policy.pipeline !== null;
    const waiting = Math.min(stats.pending, stats.threshold);
    return html`
      <div class="bar">
        <progress
          max=${stats.threshold}
          value=${waiting}
          aria-label="Labels toward the next retraining"
        ></progress>
        <span
          ><strong>${stats.pending} of ${stats.threshold}</strong> labels toward the next
          retraining</span
        >
        <button
          type="button"
          ?disabled=${this.busy || stats.retraining !== null || stats.pending === 0 || !policy.pipeline}
          @click=${this._onRetrain}
        >
          Retrain now
        </button>
      </div>
      ${
        stats.retraining
          ? html`<p role="status">
              Retraining now: run <code>${stats.retraining.run}</code>; new labels count toward the
              next one.
            </p>`
          : nothing
      }
      <p class="muted">
        ${stats.total} labels in all, ${stats.heldOut} held out to judge versions (never trained
        on).
        ${
          automatic
            ? html`At ${policy.threshold} labels, <code>${policy.pipeline}</code> retrains the
                model; the new version replaces the champion if its ${policy.metric} is at least the
                champion's${policy.margin === 0 ? '' : ` minus ${(policy.margin * 100).toFixed(1)} points`}.`
            : 'The model does not retrain by itself (its policy names no pipeline, or is off).'
        }
      </p>
    `;
  }

  private _onRetrain(): void {
    this.dispatchEvent(new RetrainRequestEvent());
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'kiln-feedback-progress': KilnFeedbackProgress;
  }
}
