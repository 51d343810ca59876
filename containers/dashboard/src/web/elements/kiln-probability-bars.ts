import { css, html, LitElement } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { sharedStyles } from '../styles/shared-styles.js';

/** One bar per class, longest for the predicted one, with the probability as text. */
@customElement('kiln-probability-bars')
export class KilnProbabilityBars extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      ol {
        list-style: none;
        margin: 0;
        padding: 0;
        display: grid;
        gap: 0.25rem;
      }
      li {
        display: grid;
        grid-template-columns: minmax(6rem, 9rem) 1fr 4rem;
        gap: 0.5rem;
        align-items: center;
        font-size: 0.9rem;
      }
      .track {
        background: var(--kiln-surface, #f6f8fa);
        border: 1px solid var(--kiln-border, #d0d7de);
        border-radius: 4px;
        height: 0.9rem;
        overflow: hidden;
      }
      .fill {
        height: 100%;
        background: #8c959f;
      }
      .top .fill {
        background: var(--kiln-primary, #1f6f3f);
      }
      .top .name {
        font-weight: 700;
      }
      .value {
        text-align: right;
        font-variant-numeric: tabular-nums;
      }
    `,
  ];

  /** Class names, by label. */
  @property({ attribute: false }) classes: string[] = [];
  /** One probability per class. */
  @property({ attribute: false }) probabilities: number[] = [];
  /** The predicted class. */
  @property({ type: Number }) label = -1;

  override render() {
    return html`<ol aria-label="Probabilities">
      ${this.classes.map((name, index) => {
        const share = this.probabilities[index] ?? 0;
        const percent = `${(share * 100).toFixed(1)}%`;
        return html`<li class=${index === this.label ? 'top' : ''}>
          <span class="name">${name}</span>
          <span class="track" aria-hidden="true"
            ><span class="fill" style="display:block;width:${(share * 100).toFixed(2)}%"></span
          ></span>
          <span class="value">${percent}</span>
        </li>`;
      })}
    </ol>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'kiln-probability-bars': KilnProbabilityBars;
  }
}
