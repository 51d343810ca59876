import { NAME_PATTERN, type InputFileSpec, type JsonSchema, type ValidationIssue } from '@kiln/api';
import { css, html, LitElement, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { live } from 'lit/directives/live.js';
import { FormSubmitEvent } from '../events/kiln-events.js';
import {
  collectParameters,
  FieldKind,
  fieldsOf,
  initialValues,
  issuesByField,
  type FormField,
  type FormValues,
} from '../model/schema-fields.js';
import { sharedStyles } from '../styles/shared-styles.js';

/** A suggestion for an artifact-reference field: the URL to send and what to show. */
export interface ArtifactSuggestion {
  url: string;
  label: string;
}

const idOf = (path: string): string => `field${path.replace(/[^A-Za-z0-9_-]/g, '_')}`;

/**
 * A form generated from a container's parameters JSON Schema, its input files, an optional
 * artifact name and the cache switch. It checks only what cannot be sent at all; the server
 * validates against the schema, and its 422 issues (`errors`) are shown by the fields they
 * concern (`aria-invalid`, `aria-describedby`), with a summary on top and focus on the first.
 */
@customElement('kiln-schema-form')
export class KilnSchemaForm extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      form {
        display: grid;
        gap: 1rem;
        max-width: 44rem;
      }
      .field {
        display: grid;
        gap: 0.25rem;
      }
      .field > label,
      legend {
        font-weight: 600;
      }
      .check {
        display: flex;
        gap: 0.5rem;
        align-items: center;
      }
      .check input {
        min-height: auto;
        width: 1.1rem;
        height: 1.1rem;
      }
      .help {
        font-size: 0.85rem;
        color: #57606a;
        margin: 0;
      }
      .field-error {
        color: #a40e26;
        font-size: 0.9rem;
        font-weight: 600;
        margin: 0;
      }
      fieldset {
        border: 1px solid #d0d7de;
        border-radius: 6px;
        display: grid;
        gap: 0.75rem;
        padding: 0.75rem;
      }
      textarea {
        min-height: 5rem;
      }
      .required {
        color: #a40e26;
      }
    `,
  ];

  @property({ attribute: false }) schema: JsonSchema = { type: 'object' };
  @property({ attribute: false }) inputFiles: InputFileSpec[] = [];
  /** Issues from the server (422), by JSON Pointer. */
  @property({ attribute: false }) errors: ValidationIssue[] = [];
  /** A problem with the artifact name (400 invalid name, 409 taken). */
  @property() nameError = '';
  @property({ attribute: false }) suggestions: ArtifactSuggestion[] = [];
  @property() submitLabel = 'Create';
  /** What is being made (`artifact`, `run`), for the labels. */
  @property() noun = 'artifact';
  @property({ type: Boolean }) busy = false;

  @state() private _values: FormValues = {};
  @state() private _clientIssues: ValidationIssue[] = [];
  @state() private _name = '';
  @state() private _cache = false;

  #fields: FormField[] = [];
  #files: Record<string, File> = {};

  override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('schema')) {
      this.#fields = fieldsOf(this.schema);
      this._values = initialValues(this.#fields);
    }
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (
      (changed.has('errors') && this.errors.length > 0) ||
      (changed.has('nameError') && this.nameError)
    ) {
      this.#focusFirstInvalid();
    }
  }

  override render() {
    const issues = [...this._clientIssues, ...this.errors];
    const { byPath, other } = issuesByField(this.#fields, issues);
    const count = issues.length + (this.nameError ? 1 : 0);
    return html`<form novalidate @submit=${this._onSubmit}>
      ${
        count > 0
          ? html`<div class="error-box" role="alert">
              <strong
                >${count === 1 ? 'One value needs a fix' : `${count} values need a fix`}.</strong
              >
              ${
                other.length > 0
                  ? html`<ul>
                      ${other.map((issue) => html`<li><code>${issue.path || '/'}</code> ${issue.message}</li>`)}
                    </ul>`
                  : nothing
              }
            </div>`
          : nothing
      }
      <div class="field">
        <label for="artifact-name">Name <span class="muted">(optional)</span></label>
        <input
          id="artifact-name"
          name="name"
          .value=${live(this._name)}
          @input=${(e: Event) => (this._name = (e.target as HTMLInputElement).value)}
          aria-invalid=${this.nameError ? 'true' : 'false'}
          aria-describedby="artifact-name-help ${this.nameError ? 'artifact-name-error' : ''}"
          autocomplete="off"
          spellcheck="false"
        />
        <p id="artifact-name-help" class="help">
          Letters, digits, <code>.</code>, <code>_</code> and <code>-</code>; a unique name is made
          when empty.
        </p>
        ${this.nameError ? html`<p id="artifact-name-error" class="field-error">${this.nameError}</p>` : nothing}
      </div>
      ${this.#fields.map((field) => this._renderField(field, byPath))}
      ${this.inputFiles.map((spec) => this._renderFile(spec))}
      <div class="field">
        <span class="check">
          <input
            id="cache"
            type="checkbox"
            .checked=${live(this._cache)}
            @change=${(e: Event) => (this._cache = (e.target as HTMLInputElement).checked)}
          />
          <label for="cache">Reuse an identical completed ${this.noun} if there is one</label>
        </span>
      </div>
      ${
        this.suggestions.length > 0
          ? html`<datalist id="artifact-suggestions">
              ${this.suggestions.map((s) => html`<option value=${s.url}>${s.label}</option>`)}
            </datalist>`
          : nothing
      }
      <div class="actions">
        <button class="primary" type="submit" ?disabled=${this.busy}>
          ${this.busy ? 'Sending…' : this.submitLabel}
        </button>
      </div>
    </form>`;
  }

  private _renderField(field: FormField, byPath: Map<string, string[]>): TemplateResult {
    if (field.kind === FieldKind.Group) {
      return html`<fieldset>
        <legend>${field.label}</legend>
        ${field.description ? html`<p class="help">${field.description}</p>` : nothing}
        ${field.children.map((child) => this._renderField(child, byPath))}
      </fieldset>`;
    }
    const id = idOf(field.path);
    const messages = byPath.get(field.path) ?? [];
    const describedBy = [
      field.description || field.kind === FieldKind.Json ? `${id}-help` : '',
      messages.length ? `${id}-error` : '',
    ]
      .filter(Boolean)
      .join(' ');
    const control = this._renderControl(field, id, messages.length > 0, describedBy);
    const label = html`${field.label}${field.required ? html` <span class="required" aria-hidden="true">*</span>` : nothing}`;
    return html`<div class="field">
      ${
        field.kind === FieldKind.Boolean
          ? html`<span class="check">${control}<label for=${id}>${label}</label></span>`
          : html`<label for=${id}>${label}</label>${control}`
      }
      ${
        field.description || field.kind === FieldKind.Json
          ? html`<p id="${id}-help" class="help">
              ${field.description ?? ''}${field.kind === FieldKind.Json ? ' (JSON)' : ''}
            </p>`
          : nothing
      }
      ${messages.length > 0 ? html`<p id="${id}-error" class="field-error">${messages.join('; ')}</p>` : nothing}
    </div>`;
  }

  private _renderControl(
    field: FormField,
    id: string,
    invalid: boolean,
    describedBy: string,
  ): TemplateResult {
    const value = this._values[field.path];
    const common = { id, invalid: invalid ? 'true' : 'false' };
    switch (field.kind) {
      case FieldKind.Boolean:
        return html`<input
          id=${common.id}
          type="checkbox"
          name=${field.path}
          .checked=${live(value === true)}
          aria-invalid=${common.invalid}
          aria-describedby=${describedBy}
          @change=${(e: Event) => this._set(field.path, (e.target as HTMLInputElement).checked)}
        />`;
      case FieldKind.Choice:
        return html`<select
          id=${common.id}
          name=${field.path}
          aria-invalid=${common.invalid}
          aria-describedby=${describedBy}
          ?required=${field.required}
          @change=${(e: Event) => this._set(field.path, (e.target as HTMLSelectElement).value)}
        >
          ${field.defaultValue === undefined ? html`<option value="" ?selected=${value === ''}>—</option>` : nothing}
          ${field.options.map((option) => {
            const encoded = JSON.stringify(option);
            return html`<option value=${encoded} ?selected=${encoded === value}>
              ${String(option)}
            </option>`;
          })}
        </select>`;
      case FieldKind.Json:
        return html`<textarea
          id=${common.id}
          name=${field.path}
          .value=${live(String(value ?? ''))}
          aria-invalid=${common.invalid}
          aria-describedby=${describedBy}
          ?required=${field.required}
          spellcheck="false"
          @input=${(e: Event) => this._set(field.path, (e.target as HTMLTextAreaElement).value)}
        ></textarea>`;
      default: {
        const numeric = field.kind === FieldKind.Number || field.kind === FieldKind.Integer;
        return html`<input
          id=${common.id}
          name=${field.path}
          type=${numeric ? 'text' : field.kind === FieldKind.Artifact ? 'url' : 'text'}
          inputmode=${numeric ? (field.kind === FieldKind.Integer ? 'numeric' : 'decimal') : 'text'}
          .value=${live(String(value ?? ''))}
          aria-invalid=${common.invalid}
          aria-describedby=${describedBy}
          ?required=${field.required}
          list=${field.kind === FieldKind.Artifact && this.suggestions.length > 0 ? 'artifact-suggestions' : nothing}
          placeholder=${field.kind === FieldKind.Artifact ? 'http://container:8080/artifacts/name/' : ''}
          autocomplete="off"
          @input=${(e: Event) => this._set(field.path, (e.target as HTMLInputElement).value)}
        />`;
      }
    }
  }

  private _renderFile(spec: InputFileSpec): TemplateResult {
    const id = `file-${spec.name.replace(/[^A-Za-z0-9_-]/g, '_')}`;
    return html`<div class="field">
      <label for=${id}
        >${spec.name}${spec.required ? html` <span class="required" aria-hidden="true">*</span>` : nothing}</label
      >
      <input
        id=${id}
        type="file"
        name=${spec.name}
        ?required=${spec.required}
        aria-describedby="${id}-help"
        @change=${(e: Event) => this._onFile(spec.name, (e.target as HTMLInputElement).files?.[0])}
      />
      <p id="${id}-help" class="help">${spec.description}</p>
    </div>`;
  }

  private _set(path: string, value: string | boolean): void {
    this._values = { ...this._values, [path]: value };
  }

  private _onFile(name: string, file: File | undefined): void {
    if (file) this.#files[name] = file;
    else delete this.#files[name];
  }

  private _onSubmit(event: SubmitEvent): void {
    event.preventDefault();
    const { parameters, issues } = collectParameters(this.#fields, this._values);
    this._clientIssues = issues;
    const name = this._name.trim();
    if (name && !NAME_PATTERN.test(name)) {
      this.nameError =
        'must start with a letter or digit and use only letters, digits, ".", "_" and "-" (at most 128)';
      return;
    }
    this.nameError = '';
    if (issues.length > 0) {
      void this.updateComplete.then(() => this.#focusFirstInvalid());
      return;
    }
    this.dispatchEvent(
      new FormSubmitEvent({
        name: name || undefined,
        parameters,
        files: { ...this.#files },
        cache: this._cache,
      }),
    );
  }

  #focusFirstInvalid(): void {
    this.renderRoot.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'kiln-schema-form': KilnSchemaForm;
  }
}
