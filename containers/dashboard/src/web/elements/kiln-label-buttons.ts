import { css, html, LitElement, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { LabelChosenEvent } from '../events/kiln-events.js';
import { sharedStyles } from '../styles/shared-styles.js';

/**
 * One-click labels for an image: "Right" confirms the predicted class, and a button per other
 * class corrects it. Each click emits a {@link LabelChosenEvent} with the class index; the
 * element that holds the image sends it.
 */
@customElement('kiln-label-buttons')
export class KilnLabelButtons extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      :host {
        display: block;
      }
      .classes {
        display: flex;
        flex-wrap: wrap;
        gap: 0.25rem;
        margin-top: 0.35rem;
      }
      button {
        min-height: 1.9rem;
        padding: 0.1rem 0.5rem;
        font-size: 0.85rem;
      }
      .right {
        font-weight: 600;
      }
      .given {
        font-weight: 600;
        color: #116329;
      }
    `,
  ];

  /** Class names, by index. */
  @property({ attribute: false }) classes: string[] = [];
  /** The class the model predicted. */
  @property({ type: Number }) predicted = 0;
  /** The label given, once given: the buttons give way to it. */
  @property({ type: Number }) given: number | undefined;
  /** While true, the buttons are disabled (a label is being sent). */
  @property({ type: Boolean }) busy = false;
  /** Names the image in the buttons' accessible names (`Right: Sneaker, for prediction 3`). */
  @property() subject = '';

  override render() {
    if (this.given !== undefined) {
      const confirmed = this.given === this.predicted;
      return html`<p class="given" role="status">
        ${confirmed ? '✓ Confirmed' : '✎ Corrected to'} ${this.classes[this.given] ?? this.given}
      </p>`;
    }
    const of = this.subject ? `, ${this.subject}` : '';
    return html`
      <button
        type="button"
        class="primary right"
        ?disabled=${this.busy}
        aria-label="Right: ${this.classes[this.predicted]}${of}"
        @click=${() => this._onChoose(this.predicted)}
      >
        ✓ Right
      </button>
      <div class="classes" role="group" aria-label="Wrong? It is${of}:">
        <span class="muted">Wrong? It is:</span>
        ${this.classes.map((name, label) =>
          label === this.predicted
            ? nothing
            : html`<button
                type="button"
                ?disabled=${this.busy}
                aria-label="It is ${name}${of}"
                @click=${() => this._onChoose(label)}
              >
                ${name}
              </button>`,
        )}
      </div>
    `;
  }

  private _onChoose(label: number): void {
    this.dispatchEvent(new LabelChosenEvent(label));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'kiln-label-buttons': KilnLabelButtons;
  }
}
