import type { ModelVersionStatus } from '@kiln/api';
import { css, html, LitElement } from 'lit';
import { customElement, property } from 'lit/decorators.js';

/** A glyph per status, so the state reads without colour too. */
const GLYPHS: Record<ModelVersionStatus, string> = {
  loading: '◐',
  ready: '✓',
  failed: '✕',
  rejected: '⊘',
  retired: '○',
};

/** A model version's status as a labelled badge (text first; glyph and colour as extra cues). */
@customElement('kiln-version-badge')
export class KilnVersionBadge extends LitElement {
  static override styles = css`
    :host {
      display: inline-block;
    }
    .badge {
      display: inline-flex;
      gap: 0.3em;
      align-items: center;
      padding: 0.1rem 0.5rem;
      border-radius: 999px;
      font-size: 0.8rem;
      font-weight: 600;
      white-space: nowrap;
      border: 1px solid currentColor;
    }
    .loading {
      color: #0b4f94;
      background: #ddeeff;
    }
    .ready {
      color: #116329;
      background: #dafbe1;
    }
    .failed {
      color: #a40e26;
      background: #ffebe9;
    }
    .rejected {
      color: #6e4a00;
      background: #fff1c2;
    }
    .retired {
      color: #424a53;
      background: #eef1f4;
    }
  `;

  @property() status: ModelVersionStatus = 'loading';

  override render() {
    return html`<span class="badge ${this.status}"
      ><span aria-hidden="true">${GLYPHS[this.status]}</span>${this.status}</span
    >`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'kiln-version-badge': KilnVersionBadge;
  }
}
