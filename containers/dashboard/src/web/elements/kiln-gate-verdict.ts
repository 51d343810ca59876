import type { GateFigures, GateVerdict } from '@kiln/api';
import { css, html, LitElement, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { sharedStyles } from '../styles/shared-styles.js';

const percent = (value: number | null): string =>
  value === null ? '–' : `${(value * 100).toFixed(2)}%`;

/** The two figures the gate compares, by metric name. */
const ROWS = [
  { metric: 'accuracy', label: 'Test accuracy' },
  { metric: 'heldOutAccuracy', label: 'Held-out feedback' },
] as const;

/**
 * The gate's verdict on a retrained model, with both versions' figures side by side (test
 * accuracy, accuracy on the held-out labels), the metric the policy judged by marked, and the
 * decision.
 */
@customElement('kiln-gate-verdict')
export class KilnGateVerdict extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      .decision {
        font-weight: 600;
        margin: 0 0 0.35rem;
      }
      .promoted {
        color: #116329;
      }
      .rejected {
        color: #6e4a00;
      }
      tr.judged th,
      tr.judged td {
        font-weight: 700;
      }
    `,
  ];

  @property({ attribute: false }) verdict: GateVerdict | undefined;

  override render() {
    const verdict = this.verdict;
    if (!verdict) return nothing;
    const { challenger, champion } = verdict;
    const margin =
      verdict.margin === 0 ? '' : `, margin ${(verdict.margin * 100).toFixed(1)} points`;
    return html`
      <p class="decision ${verdict.promoted ? 'promoted' : 'rejected'}">
        ${verdict.promoted ? '✓ Promoted' : '⊘ Rejected'} (by ${verdict.metric}${margin})
      </p>
      <div class="table-wrap">
        <table>
          <caption class="visually-hidden">
            The gate's figures
          </caption>
          <thead>
            <tr>
              <th scope="col">Figure</th>
              <th scope="col" class="num">Challenger v${challenger.version}</th>
              <th scope="col" class="num">
                ${champion ? `Champion v${champion.version}` : 'No champion'}
              </th>
            </tr>
          </thead>
          <tbody>
            ${ROWS.map(
              (row) =>
                html`<tr class=${row.metric === verdict.metric ? 'judged' : ''}>
                  <th scope="row">${row.label}</th>
                  <td class="num">${this._figure(challenger, row.metric)}</td>
                  <td class="num">${champion ? this._figure(champion, row.metric) : '–'}</td>
                </tr>`,
            )}
          </tbody>
        </table>
      </div>
    `;
  }

  private _figure(figures: GateFigures, metric: (typeof ROWS)[number]['metric']) {
    if (metric === 'accuracy') return percent(figures.accuracy);
    return html`${percent(figures.heldOutAccuracy)}
      <span class="muted">(${figures.heldOutCorrect}/${figures.heldOutCount})</span>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'kiln-gate-verdict': KilnGateVerdict;
  }
}
