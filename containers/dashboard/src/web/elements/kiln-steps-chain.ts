import type { StepInfo } from '@kiln/api';
import { css, html, LitElement } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { formatDuration } from '../model/format.js';
import { href } from '../router/route.js';
import { sharedStyles } from '../styles/shared-styles.js';
import './kiln-status-badge.js';

/**
 * A run's steps as a chain of cards, in order, each with its status and a link to its artifact.
 * The steps of a sweep's variants follow as one chain per variant, since variants run side by
 * side rather than one after another.
 */
@customElement('kiln-steps-chain')
export class KilnStepsChain extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      ol {
        list-style: none;
        margin: 0;
        padding: 0;
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem 2rem;
        counter-reset: step;
      }
      li {
        position: relative;
        flex: 1 1 11rem;
        max-width: 16rem;
        border: 1px solid #d0d7de;
        border-radius: 8px;
        padding: 0.6rem 0.75rem;
        background: #fff;
        counter-increment: step;
      }
      li:not(:last-child)::after {
        content: '→';
        position: absolute;
        right: -1.55rem;
        top: 50%;
        transform: translateY(-50%);
        color: #57606a;
        font-size: 1.2rem;
      }
      li.failed {
        border-color: #a40e26;
      }
      li.in-progress {
        border-color: #0b5cad;
      }
      h4 {
        margin: 0 0 0.35rem;
        font-size: 1rem;
      }
      h4::before {
        content: counter(step) '. ';
        color: #57606a;
      }
      p {
        margin: 0.25rem 0 0;
        font-size: 0.85rem;
        overflow-wrap: anywhere;
      }
      .variants {
        display: flex;
        flex-wrap: wrap;
        gap: 0.75rem 2.5rem;
        margin-top: 0.75rem;
      }
      .variant {
        flex: 1 1 24rem;
        min-width: 0;
      }
      .variant > h4 {
        font-size: 0.9rem;
        margin: 0 0 0.35rem;
      }
      .variant > h4::before {
        content: none;
      }
      @media (max-width: 40rem) {
        ol {
          flex-direction: column;
        }
        li {
          max-width: none;
        }
        li:not(:last-child)::after {
          content: '↓';
          right: auto;
          left: 1rem;
          top: auto;
          bottom: -1.45rem;
          transform: none;
        }
      }
    `,
  ];

  @property({ attribute: false }) steps: StepInfo[] = [];

  override render() {
    const variants = [
      ...new Set(this.steps.flatMap((step) => (step.variant === undefined ? [] : [step.variant]))),
    ];
    return html`${this._renderChain(
      this.steps.filter((step) => step.variant === undefined),
      'Steps',
    )}
    ${
      variants.length === 0
        ? ''
        : html`<div class="variants">
            ${variants.map(
              (variant) =>
                html`<div class="variant">
                  <h4>Variant ${variant}</h4>
                  ${this._renderChain(
                    this.steps.filter((step) => step.variant === variant),
                    `Steps of variant ${variant}`,
                  )}
                </div>`,
            )}
          </div>`
    }`;
  }

  private _renderChain(steps: readonly StepInfo[], label: string) {
    return html`<ol aria-label=${label}>
      ${steps.map(
        (step) =>
          html`<li class=${step.status}>
            <h4>${step.step}</h4>
            <kiln-status-badge status=${step.status}></kiln-status-badge>
            ${step.cached ? html`<span class="muted">cached</span>` : ''}
            <p>
              <a href=${href.artifact(step.container, step.artifact)}
                >${step.container}/${step.artifact}</a
              >
            </p>
            <p class="muted">${formatDuration(step.startedAt, step.finishedAt)}</p>
          </li>`,
      )}
    </ol>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'kiln-steps-chain': KilnStepsChain;
  }
}
