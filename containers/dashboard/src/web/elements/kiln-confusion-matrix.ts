import { css, html, LitElement } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { styleMap } from 'lit/directives/style-map.js';
import type { ConfusionMatrix } from '../model/report-shape.js';
import { sharedStyles } from '../styles/shared-styles.js';

/** Light to dark blue. */
const LOW = [247, 251, 255] as const;
const HIGH = [8, 48, 107] as const;

/** WCAG relative luminance of an sRGB colour. */
function luminance(rgb: readonly number[]): number {
  const [r = 0, g = 0, b = 0] = rgb.map((c) => {
    const v = c / 255;
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/**
 * The cell's background, and black or white text, whichever contrasts more: with pure black
 * and white the better of the two is at least 4.58:1 on any background (WCAG AA).
 */
export function shade(share: number): { background: string; color: string } {
  const mix = LOW.map((low, i) => Math.round(low + ((HIGH[i] as number) - low) * share));
  const l = luminance(mix);
  const onBlack = (l + 0.05) / 0.05;
  const onWhite = 1.05 / (l + 0.05);
  return { background: `rgb(${mix.join(' ')})`, color: onWhite > onBlack ? '#ffffff' : '#000000' };
}

/**
 * A confusion matrix as a heat map: rows are the actual classes, columns the predicted ones,
 * and each cell's shade is its share of the row (the recall of that class on the diagonal).
 * It is a real table with headers, so every count is readable without the colours.
 */
@customElement('kiln-confusion-matrix')
export class KilnConfusionMatrix extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      table {
        width: auto;
        font-size: 0.8rem;
      }
      td {
        text-align: center;
        min-width: 2.6rem;
        font-variant-numeric: tabular-nums;
        border: 1px solid #fff;
      }
      th[scope='col'] {
        writing-mode: vertical-rl;
        transform: rotate(180deg);
        text-align: left;
        white-space: nowrap;
        vertical-align: bottom;
        max-height: 9rem;
      }
      .axis {
        font-weight: 400;
        color: #57606a;
      }
      .legend {
        font-size: 0.85rem;
      }
    `,
  ];

  @property({ attribute: false }) data: ConfusionMatrix = { labels: [], matrix: [] };
  @property() caption = 'Confusion matrix';

  override render() {
    const { labels, matrix } = this.data;
    return html`<div class="table-wrap">
        <table class="heatmap">
          <caption>
            ${this.caption}
          </caption>
          <thead>
            <tr>
              <th class="axis">actual ↓ / predicted →</th>
              ${labels.map((label) => html`<th scope="col">${label}</th>`)}
            </tr>
          </thead>
          <tbody>
            ${matrix.map((row, i) => {
              const total = row.reduce((sum, value) => sum + value, 0);
              return html`<tr>
                <th scope="row">${labels[i]}</th>
                ${row.map((value, j) => {
                  const share = total > 0 ? value / total : 0;
                  return html`<td
                    style=${styleMap(shade(share))}
                    title=${`actual ${labels[i]}, predicted ${labels[j]}: ${value} (${Math.round(share * 100)} % of the row)`}
                  >
                    ${value}
                  </td>`;
                })}
              </tr>`;
            })}
          </tbody>
        </table>
      </div>
      <p class="legend muted">
        Rows: actual class. Columns: predicted class. Darker: a larger share of the row.
      </p>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'kiln-confusion-matrix': KilnConfusionMatrix;
  }
}
