import type { ValidationIssue } from '@kiln/api';
import { consume } from '@lit/context';
import { Task, TaskStatus } from '@lit/task';
import { html, LitElement, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { apiContext } from '../api/api-context.js';
import { ApiError, describeError } from '../api/api-error.js';
import type { KilnApi } from '../api/kiln-api.js';
import type { Collection } from '../api/paths.js';
import { FormSubmitEvent, type FormSubmission } from '../events/kiln-events.js';
import { href } from '../router/route.js';
import { sharedStyles } from '../styles/shared-styles.js';
import type { ArtifactSuggestion } from './kiln-schema-form.js';
import './kiln-schema-form.js';

/** Error codes that concern the artifact name rather than a parameter. */
const NAME_CODES = new Set(['INVALID_NAME', 'ARTIFACT_EXISTS']);

/**
 * Creates an artifact on a tool container, or starts a run on a pipeline (`collection="runs"`),
 * with a form generated from the container's parameters schema. On success it opens the new
 * artifact's (or run's) page; on a 422 it shows each issue by its field.
 */
@customElement('kiln-create-page')
export class KilnCreatePage extends LitElement {
  static override styles = sharedStyles;

  @property() container = '';
  @property() collection: Collection = 'artifacts';
  /** The pipeline whose completed artifacts are offered for artifact-reference fields. */
  @property() pipeline: string | undefined;

  @state() private _issues: ValidationIssue[] = [];
  @state() private _nameError = '';

  @consume({ context: apiContext }) private _api!: KilnApi;

  private _description = new Task(this, {
    task: ([container]: [string], { signal }) => this._api.describe(container, signal),
    args: () => [this.container] as [string],
  });

  private _suggestions = new Task(this, {
    task: async ([pipeline]: [string | undefined], { signal }): Promise<ArtifactSuggestion[]> => {
      if (!pipeline) return [];
      const [containers, artifacts] = await Promise.all([
        this._api.containers(pipeline, signal),
        this._api.pipelineArtifacts(pipeline, signal),
      ]);
      const urls = new Map(containers.map((c) => [c.name, c.url.replace(/\/+$/, '')]));
      return artifacts
        .filter((a) => a.status === 'completed' && urls.has(a.container))
        .map((a) => ({
          url: `${urls.get(a.container)}/artifacts/${a.name}/`,
          label: `${a.container}/${a.name}`,
        }));
    },
    args: () => [this.pipeline] as [string | undefined],
  });

  private _create = new Task(this, {
    task: async ([submission]: [FormSubmission]) => {
      this._issues = [];
      this._nameError = '';
      try {
        const summary = await this._api.create(this.container, this.collection, {
          ...(submission.name ? { name: submission.name } : {}),
          parameters: submission.parameters,
          ...(submission.cache ? { cache: true } : {}),
          files: submission.files,
        });
        location.hash =
          this.collection === 'runs'
            ? href.run(this.container, summary.name)
            : href.artifact(this.container, summary.name);
      } catch (error) {
        if (error instanceof ApiError && error.issues.length > 0) this._issues = error.issues;
        else if (error instanceof ApiError && error.code && NAME_CODES.has(error.code))
          this._nameError = error.message;
        else throw error;
      }
    },
    autoRun: false,
  });

  override connectedCallback(): void {
    super.connectedCallback();
    this.addEventListener(FormSubmitEvent.eventName, this._onSubmit);
  }

  override willUpdate(): void {
    document.title = `${this._verb()} · ${this.container} · Kiln`;
  }

  override render() {
    const back =
      this.collection === 'runs' || this.pipeline
        ? href.pipeline(this.pipeline ?? this.container)
        : href.home();
    return html`
      <nav aria-label="Breadcrumb" class="muted">
        <a href=${back}>${this.pipeline ?? 'Pipelines'}</a> ›
      </nav>
      <h2>${this._verb()}</h2>
      ${this._description.render({
        pending: () => html`<p class="muted" role="status">Loading the parameters…</p>`,
        error: (error) =>
          html`<p class="error-box" role="alert">
            Could not read ${this.container}: ${describeError(error)}
          </p>`,
        complete: (description) => html`
          <p>
            ${description.description}
            <span class="muted"
              >(${description.name} ${description.version}, makes ${description.artifactType})</span
            >
          </p>
          ${
            this._create.status === TaskStatus.ERROR
              ? html`<p class="error-box" role="alert">
                  Could not create it: ${describeError(this._create.error)}
                </p>`
              : nothing
          }
          <kiln-schema-form
            .schema=${description.parameters}
            .inputFiles=${description.inputFiles}
            .errors=${this._issues}
            .nameError=${this._nameError}
            .suggestions=${this._suggestions.value ?? []}
            .busy=${this._create.status === TaskStatus.PENDING}
            submitLabel=${this.collection === 'runs' ? 'Start the run' : 'Create the artifact'}
            noun=${this.collection === 'runs' ? 'run' : 'artifact'}
          ></kiln-schema-form>
        `,
      })}
    `;
  }

  private _verb(): string {
    return this.collection === 'runs'
      ? `Start a run of ${this.container}`
      : `New ${this.container} artifact`;
  }

  private _onSubmit = (event: FormSubmitEvent): void => {
    void this._create.run([event.submission]);
  };
}

declare global {
  interface HTMLElementTagNameMap {
    'kiln-create-page': KilnCreatePage;
  }
}
