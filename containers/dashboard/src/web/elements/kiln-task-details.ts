import type { TaskDescription } from '@kiln/api';
import { css, html, LitElement, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { sharedStyles } from '../styles/shared-styles.js';

/** The eight fields of a pipeline's task (docs/api.md `GET /task`), in the contract's order. */
const TASK_FIELDS: ReadonlyArray<[keyof TaskDescription, string]> = [
  ['name', 'Name'],
  ['description', 'Description'],
  ['output', 'Output'],
  ['constraints', 'Constraints'],
  ['archives', 'Archives'],
  ['evaluation_criterias', 'Evaluation criteria'],
  ['cost_function', 'Cost function'],
  ['evaluation_dataset', 'Evaluation dataset'],
];

/** A pipeline's task: what it makes, under which constraints, judged how. */
@customElement('kiln-task-details')
export class KilnTaskDetails extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      dd {
        white-space: pre-line;
      }
      @media (max-width: 40rem) {
        dl.fields {
          grid-template-columns: 1fr;
        }
        dl.fields dd {
          margin-bottom: 0.5rem;
        }
      }
    `,
  ];

  @property({ attribute: false }) task: TaskDescription | undefined;

  override render() {
    if (!this.task) return nothing;
    const task = this.task;
    return html`<dl class="fields">
      ${TASK_FIELDS.map(
        ([key, label]) =>
          html`<dt>${label}</dt>
            <dd>
              ${key === 'name' ? html`<code>${task[key]}</code>` : task[key] || html`<span class="muted">–</span>`}
            </dd>`,
      )}
    </dl>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'kiln-task-details': KilnTaskDetails;
  }
}
