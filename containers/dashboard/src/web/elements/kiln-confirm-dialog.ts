import { css, html, LitElement } from 'lit';
import { customElement, query, state } from 'lit/decorators.js';
import { sharedStyles } from '../styles/shared-styles.js';

/** What {@link KilnConfirmDialog.ask} shows. */
export interface ConfirmOptions {
  title: string;
  message: string;
  confirmLabel: string;
  /** Styles the confirm button as destructive. */
  danger?: boolean;
}

/**
 * A modal confirmation on the native `<dialog>`, which traps focus, closes on Escape and
 * returns focus to where it was. `ask()` resolves true only when the user confirms.
 */
@customElement('kiln-confirm-dialog')
export class KilnConfirmDialog extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      dialog {
        border: 1px solid #8c959f;
        border-radius: 8px;
        padding: 1.25rem;
        max-width: min(30rem, calc(100vw - 2rem));
      }
      dialog::backdrop {
        background: rgb(27 31 36 / 50%);
      }
      h2 {
        margin-top: 0;
      }
      .actions {
        justify-content: flex-end;
      }
    `,
  ];

  @state() private _options: ConfirmOptions = { title: '', message: '', confirmLabel: 'OK' };

  @query('dialog') private _dialog!: HTMLDialogElement;

  #resolve: ((confirmed: boolean) => void) | undefined;

  /** Opens the dialog; resolves when it closes. */
  async ask(options: ConfirmOptions): Promise<boolean> {
    this.#resolve?.(false);
    this._options = options;
    await this.updateComplete;
    this._dialog.returnValue = '';
    this._dialog.showModal();
    return new Promise((resolve) => (this.#resolve = resolve));
  }

  override render() {
    const { title, message, confirmLabel, danger } = this._options;
    return html`<dialog
      aria-labelledby="confirm-title"
      aria-describedby="confirm-message"
      @close=${this._onClose}
    >
      <form method="dialog">
        <h2 id="confirm-title">${title}</h2>
        <p id="confirm-message">${message}</p>
        <div class="actions">
          <button value="cancel" autofocus>Keep it</button>
          <button value="confirm" class=${danger ? 'danger' : 'primary'}>${confirmLabel}</button>
        </div>
      </form>
    </dialog>`;
  }

  private _onClose(): void {
    this.#resolve?.(this._dialog.returnValue === 'confirm');
    this.#resolve = undefined;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'kiln-confirm-dialog': KilnConfirmDialog;
  }
}
