import { Task, TaskStatus } from '@lit/task';
import { consume } from '@lit/context';
import { css, html, LitElement } from 'lit';
import { customElement, query } from 'lit/decorators.js';
import { apiContext } from '../api/api-context.js';
import { ApiError, describeError } from '../api/api-error.js';
import type { KilnApi } from '../api/kiln-api.js';
import { SignedInEvent } from '../events/kiln-events.js';
import { sharedStyles } from '../styles/shared-styles.js';

/**
 * The sign-in view, shown when the project has a token and the browser has no session yet.
 * It posts the token to the gateway's `POST /auth/session`, which sets an HttpOnly cookie.
 */
@customElement('kiln-sign-in')
export class KilnSignIn extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      .card {
        max-width: 26rem;
        margin: 2rem auto;
      }
      label {
        display: block;
        font-weight: 600;
        margin-bottom: 0.35rem;
      }
      input {
        width: 100%;
        margin-bottom: 0.75rem;
      }
    `,
  ];

  @consume({ context: apiContext }) private _api!: KilnApi;

  @query('input') private _input!: HTMLInputElement;

  private _signIn = new Task(this, {
    task: async ([token]: [string]) => {
      await this._api.signIn(token);
      this.dispatchEvent(new SignedInEvent());
    },
    autoRun: false,
  });

  override firstUpdated(): void {
    this._input.focus();
  }

  override render() {
    return html`<div class="card">
      <h2>Sign in</h2>
      <p class="muted">This project asks for its access token.</p>
      <form @submit=${this._onSubmit}>
        <label for="token">Project token</label>
        <input
          id="token"
          name="token"
          type="password"
          autocomplete="current-password"
          required
          aria-describedby="signin-error"
        />
        <button
          class="primary"
          type="submit"
          ?disabled=${this._signIn.status === TaskStatus.PENDING}
        >
          Sign in
        </button>
        <div id="signin-error" role="alert">
          ${this._signIn.render({
            error: (error) =>
              html`<p class="error-box">
                ${error instanceof ApiError && error.status === 401 ? 'That token is not right.' : describeError(error)}
              </p>`,
          })}
        </div>
      </form>
    </div>`;
  }

  private _onSubmit(event: SubmitEvent): void {
    event.preventDefault();
    if (this._input.value.length === 0) {
      this._input.focus();
      return;
    }
    void this._signIn.run([this._input.value]);
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'kiln-sign-in': KilnSignIn;
  }
}
