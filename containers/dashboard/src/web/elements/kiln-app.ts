import { provide } from '@lit/context';
import { Task } from '@lit/task';
import { css, html, LitElement, nothing, type PropertyValues } from 'lit';
import { customElement, query, state } from 'lit/decorators.js';
import { keyed } from 'lit/directives/keyed.js';
import { apiContext } from '../api/api-context.js';
import { KilnApi } from '../api/kiln-api.js';
import { SignedInEvent } from '../events/kiln-events.js';
import { href, parseRoute, type Route } from '../router/route.js';
import { sharedStyles } from '../styles/shared-styles.js';
import './kiln-artifact-page.js';
import './kiln-create-page.js';
import './kiln-home-page.js';
import './kiln-models-page.js';
import './kiln-pipeline-page.js';
import './kiln-run-page.js';
import './kiln-serving-page.js';
import './kiln-sign-in.js';

/**
 * The dashboard: provides the API client to every view, follows the hash route, and shows
 * the sign-in view when the gateway answers 401 (or the page was opened at `/signin`).
 */
@customElement('kiln-app')
export class KilnApp extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      :host {
        min-height: 100vh;
        display: flex;
        flex-direction: column;
      }
      header {
        background: #1b1f24;
        color: #fff;
        padding: 0.6rem 1rem;
        display: flex;
        align-items: center;
        gap: 1rem;
        flex-wrap: wrap;
      }
      header a {
        color: #fff;
      }
      header nav {
        display: flex;
        gap: 1rem;
      }
      .brand {
        font-weight: 700;
        font-size: 1.15rem;
        text-decoration: none;
        letter-spacing: 0.02em;
      }
      .skip {
        position: absolute;
        left: -999px;
      }
      .skip:focus {
        left: 0.5rem;
        top: 0.5rem;
        background: #fff;
        color: #0b5cad;
        padding: 0.4rem;
        z-index: 10;
      }
      .sign-out {
        margin-left: auto;
        background: transparent;
        color: #fff;
        border-color: #8c959f;
        min-height: 2rem;
        padding: 0.2rem 0.7rem;
      }
      .sign-out:hover {
        background: #32383f;
      }
      main {
        flex: 1;
        width: 100%;
        max-width: 80rem;
        margin: 0 auto;
        padding: 1.25rem 1rem 3rem;
      }
      main:focus {
        outline: none;
      }
    `,
  ];

  @provide({ context: apiContext }) api = new KilnApi();

  @state() private _route: Route = parseRoute(location.hash);
  @state() private _signingIn = location.pathname.replace(/\/+$/, '') === '/signin';
  /** Bumped after signing in, so every view is made anew and fetches again. */
  @state() private _generation = 0;

  @query('main') private _main!: HTMLElement;

  private _session = new Task(this, {
    task: (_args: [boolean, number], { signal }) => this.api.session(signal),
    args: () => [this._signingIn, this._generation] as [boolean, number],
  });

  readonly #onHashChange = (): void => {
    this._route = parseRoute(location.hash);
  };

  override connectedCallback(): void {
    super.connectedCallback();
    this.api.onUnauthorized = () => {
      this._signingIn = true;
    };
    window.addEventListener('hashchange', this.#onHashChange);
    this.addEventListener(SignedInEvent.eventName, this._onSignedIn);
  }

  override disconnectedCallback(): void {
    window.removeEventListener('hashchange', this.#onHashChange);
    this.api.live.reset();
    super.disconnectedCallback();
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (
      changed.has('_route' as keyof KilnApp) &&
      changed.get('_route' as keyof KilnApp) !== undefined
    ) {
      // a new view: move focus to it, as a page load would, so screen readers start there
      this._main.focus({ preventScroll: true });
      window.scrollTo(0, 0);
    }
  }

  override render() {
    return html`
      <a class="skip" href="#main" @click=${this._onSkip}>Skip to content</a>
      <header>
        <a class="brand" href=${href.home()}>Kiln</a>
        <nav aria-label="Main">
          <a href=${href.home()}>Pipelines</a> <a href=${href.serving()}>Models</a>
        </nav>
        ${
          this._session.value?.required && this._session.value.authenticated && !this._signingIn
            ? html`<button class="sign-out" type="button" @click=${this._onSignOut}>
                Sign out
              </button>`
            : nothing
        }
      </header>
      <main id="main" tabindex="-1">
        ${
          this._signingIn
            ? html`<kiln-sign-in></kiln-sign-in>`
            : keyed(`${this._generation}`, this._renderRoute(this._route))
        }
      </main>
    `;
  }

  private _renderRoute(route: Route) {
    switch (route.view) {
      case 'home':
        return html`<kiln-home-page></kiln-home-page>`;
      case 'pipeline':
        return html`<kiln-pipeline-page .pipeline=${route.pipeline}></kiln-pipeline-page>`;
      case 'create':
        return html`<kiln-create-page
          .container=${route.container}
          .collection=${route.collection}
          .pipeline=${route.pipeline}
        ></kiln-create-page>`;
      case 'artifact':
        return html`<kiln-artifact-page
          .ref=${{ container: route.container, collection: 'artifacts', artifact: route.artifact }}
        ></kiln-artifact-page>`;
      case 'run':
        return html`<kiln-run-page .pipeline=${route.pipeline} .run=${route.run}></kiln-run-page>`;
      case 'serving':
        return route.model === undefined
          ? html`<kiln-models-page></kiln-models-page>`
          : html`<kiln-serving-page
              .model=${route.model}
              .container=${route.container}
            ></kiln-serving-page>`;
      default:
        return html`<h2>Not found</h2>
          <p>
            There is no view at <code>${route.hash}</code>.
            <a href=${href.home()}>Go to the pipelines</a>.
          </p>`;
    }
  }

  private _onSkip(event: Event): void {
    event.preventDefault();
    this._main.focus();
  }

  private async _onSignOut(): Promise<void> {
    await this.api.signOut().catch(() => undefined);
    this.api.live.reset();
    this._signingIn = true;
  }

  private _onSignedIn = (): void => {
    this.api.live.reset();
    this._signingIn = false;
    this._generation++;
    // back from /signin?next=… to where the gateway sent the browser from (same origin only)
    const next = new URLSearchParams(location.search).get('next');
    const target = next && next.startsWith('/') && !next.startsWith('//') ? next : '/';
    if (location.pathname !== '/' || location.search)
      history.replaceState(null, '', `${target}${location.hash}`);
  };
}

declare global {
  interface HTMLElementTagNameMap {
    'kiln-app': KilnApp;
  }
}
