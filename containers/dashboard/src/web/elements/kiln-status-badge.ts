import type { ArtifactStatus } from '@kiln/api';
import { css, html, LitElement } from 'lit';
import { customElement, property } from 'lit/decorators.js';

/** A glyph per status so that the state reads without colour too. */
const GLYPHS: Record<ArtifactStatus, string> = {
  queued: '○',
  'in-progress': '◐',
  completed: '✓',
  failed: '✕',
  cancelled: '⊘',
};

/**
 * An artifact's status as a labelled badge. The status is text, with a glyph and a colour as
 * extra cues, never colour alone.
 */
@customElement('kiln-status-badge')
export class KilnStatusBadge extends LitElement {
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
    .queued {
      color: #424a53;
      background: #eef1f4;
    }
    .in-progress {
      color: #0b4f94;
      background: #ddeeff;
    }
    .completed {
      color: #116329;
      background: #dafbe1;
    }
    .failed {
      color: #a40e26;
      background: #ffebe9;
    }
    .cancelled {
      color: #6e4a00;
      background: #fff1c2;
    }
    .healthy {
      color: #116329;
      background: #dafbe1;
    }
    .unhealthy {
      color: #a40e26;
      background: #ffebe9;
    }
  `;

  /** An artifact status, or `healthy` / `unhealthy` for a container. */
  @property() status: ArtifactStatus | 'healthy' | 'unhealthy' = 'queued';

  override render() {
    const glyph =
      this.status === 'healthy' ? '✓' : this.status === 'unhealthy' ? '✕' : GLYPHS[this.status];
    return html`<span class="badge ${this.status}"
      ><span aria-hidden="true">${glyph}</span>${this.status}</span
    >`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'kiln-status-badge': KilnStatusBadge;
  }
}
