import type { ArtifactSummary } from '@kiln/api';
import { consume } from '@lit/context';
import { Task } from '@lit/task';
import { html, LitElement, type PropertyValues } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { apiContext } from '../api/api-context.js';
import { describeError } from '../api/api-error.js';
import type { KilnApi } from '../api/kiln-api.js';
import { href } from '../router/route.js';
import { sharedStyles } from '../styles/shared-styles.js';
import './kiln-artifact-page.js';
import './kiln-steps-chain.js';
import './kiln-variant-comparison.js';

/** The least time between two reloads of the steps while the run moves. */
const STEPS_REFRESH_MS = 500;

/**
 * A pipeline run: its steps as a chain (kept live from the pipeline's merged event stream:
 * each change of the run or of one of its step artifacts reloads the steps), the variants of
 * its sweep side by side if it has one (reloaded with the steps), then the run itself as an
 * artifact: state, data, metrics, log.
 */
@customElement('kiln-run-page')
export class KilnRunPage extends LitElement {
  static override styles = sharedStyles;

  @property() pipeline = '';
  @property() run = '';

  /** Bumped with each reload of the steps, so the variants' comparison follows the run. */
  @state() private _revision = 0;

  @consume({ context: apiContext }) private _api!: KilnApi;

  #stop: (() => void) | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;

  private _steps = new Task(this, {
    task: ([pipeline, run]: [string, string], { signal }) => this._api.steps(pipeline, run, signal),
    args: () => [this.pipeline, this.run] as [string, string],
  });

  override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('pipeline') || changed.has('run')) {
      document.title = `${this.run} · ${this.pipeline} · Kiln`;
      this.#stop?.();
      this.#stop = this._api.live.subscribePipeline(this.pipeline, {
        artifact: (summary, container) => this.#onLive(container, summary),
        open: (reconnected) => {
          if (!reconnected) return;
          void this._steps.run();
          this._revision++;
        },
      });
    }
  }

  override disconnectedCallback(): void {
    this.#stop?.();
    this.#stop = undefined;
    clearTimeout(this.#timer);
    super.disconnectedCallback();
  }

  override render() {
    return html`
      <nav aria-label="Breadcrumb" class="muted">
        <a href=${href.home()}>Pipelines</a> ›
        <a href=${href.pipeline(this.pipeline)}>${this.pipeline}</a> ›
      </nav>
      <h2>Run ${this.run}</h2>
      <section aria-labelledby="steps-heading">
        <h3 id="steps-heading">Steps</h3>
        ${this._steps.render({
          pending: () =>
            this._steps.value
              ? html`<kiln-steps-chain .steps=${this._steps.value}></kiln-steps-chain>`
              : html`<p class="muted" role="status">Loading the steps…</p>`,
          error: (error) =>
            html`<p class="error-box" role="alert">
              Could not load the steps: ${describeError(error)}
            </p>`,
          complete: (steps) =>
            steps.length === 0
              ? html`<p class="muted">No step has started yet.</p>`
              : html`<kiln-steps-chain .steps=${steps}></kiln-steps-chain>`,
        })}
      </section>
      <kiln-variant-comparison
        .pipeline=${this.pipeline}
        .run=${this.run}
        .steps=${this._steps.value ?? []}
        .revision=${this._revision}
      ></kiln-variant-comparison>
      <kiln-artifact-page
        embedded
        .ref=${{ container: this.pipeline, collection: 'runs', artifact: this.run }}
      ></kiln-artifact-page>
    `;
  }

  #onLive(container: string, summary: ArtifactSummary): void {
    const steps = this._steps.value ?? [];
    const concerned =
      (container === this.pipeline && summary.name === this.run) ||
      steps.some((step) => step.container === container && step.artifact === summary.name);
    if (!concerned || this.#timer !== undefined) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this._steps.run();
      this._revision++;
    }, STEPS_REFRESH_MS);
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'kiln-run-page': KilnRunPage;
  }
}
