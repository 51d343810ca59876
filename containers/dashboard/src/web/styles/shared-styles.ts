import { css } from 'lit';

/**
 * Styles every view shares: type, tables, forms, buttons, focus rings. Colours are chosen for
 * WCAG AA contrast (4.5:1 or better for text) on their backgrounds.
 */
export const sharedStyles = css`
  :host {
    display: block;
    color: var(--kiln-text, #1b1f24);
    font: inherit;
  }
  *,
  *::before,
  *::after {
    box-sizing: border-box;
  }
  a {
    color: var(--kiln-link, #0b5cad);
  }
  a:hover {
    text-decoration-thickness: 2px;
  }
  :focus-visible {
    outline: 3px solid var(--kiln-focus, #0b5cad);
    outline-offset: 2px;
  }
  h2 {
    font-size: 1.35rem;
    margin: 0 0 0.75rem;
  }
  h3 {
    font-size: 1.1rem;
    margin: 1.5rem 0 0.5rem;
  }
  section {
    margin: 0 0 1.75rem;
  }
  .muted {
    color: var(--kiln-muted, #57606a);
  }
  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    margin: -1px;
    padding: 0;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
    border: 0;
  }
  .table-wrap {
    /* positioned, so visually hidden cells stay inside the scroll box and never widen the page */
    position: relative;
    overflow-x: auto;
    border: 1px solid var(--kiln-border, #d0d7de);
    border-radius: 6px;
  }
  table {
    border-collapse: collapse;
    width: 100%;
    font-size: 0.9rem;
  }
  caption {
    text-align: left;
    font-weight: 600;
    padding: 0.45rem 0.6rem;
  }
  th,
  td {
    text-align: left;
    padding: 0.45rem 0.6rem;
    border-bottom: 1px solid var(--kiln-border, #d0d7de);
    vertical-align: top;
  }
  thead th {
    background: var(--kiln-surface, #f6f8fa);
    font-weight: 600;
    white-space: nowrap;
  }
  tbody tr:last-child > * {
    border-bottom: none;
  }
  td.num,
  th.num {
    text-align: right;
    font-variant-numeric: tabular-nums;
  }
  code,
  pre {
    font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
    font-size: 0.85rem;
  }
  dl.fields {
    display: grid;
    grid-template-columns: minmax(8rem, max-content) 1fr;
    gap: 0.35rem 1rem;
    margin: 0;
  }
  dl.fields dt {
    font-weight: 600;
  }
  dl.fields dd {
    margin: 0;
    overflow-wrap: anywhere;
  }
  button,
  .button {
    font: inherit;
    display: inline-flex;
    align-items: center;
    gap: 0.35rem;
    padding: 0.4rem 0.85rem;
    border-radius: 6px;
    border: 1px solid var(--kiln-border-strong, #8c959f);
    background: #fff;
    color: var(--kiln-text, #1b1f24);
    cursor: pointer;
    text-decoration: none;
    min-height: 2.25rem;
  }
  button:hover,
  .button:hover {
    background: var(--kiln-surface, #f6f8fa);
  }
  button.primary,
  .button.primary {
    background: var(--kiln-primary, #1f6f3f);
    border-color: var(--kiln-primary, #1f6f3f);
    color: #fff;
  }
  button.primary:hover,
  .button.primary:hover {
    background: #175a32;
  }
  button.danger {
    color: #a40e26;
    border-color: #a40e26;
  }
  button.danger:hover {
    background: #ffebe9;
  }
  button:disabled {
    opacity: 0.6;
    cursor: not-allowed;
  }
  .actions {
    display: flex;
    flex-wrap: wrap;
    gap: 0.5rem;
    align-items: center;
    margin: 0.5rem 0 1rem;
  }
  .error-box {
    border: 1px solid #a40e26;
    background: #ffebe9;
    color: #82071e;
    border-radius: 6px;
    padding: 0.6rem 0.8rem;
    margin: 0.5rem 0;
  }
  .card {
    border: 1px solid var(--kiln-border, #d0d7de);
    border-radius: 8px;
    padding: 1rem;
    background: #fff;
  }
  input,
  select,
  textarea {
    font: inherit;
    color: inherit;
    padding: 0.35rem 0.5rem;
    border: 1px solid var(--kiln-border-strong, #8c959f);
    border-radius: 6px;
    background: #fff;
    min-height: 2.25rem;
    max-width: 100%;
  }
  input[aria-invalid='true'],
  select[aria-invalid='true'],
  textarea[aria-invalid='true'] {
    border-color: #a40e26;
    box-shadow: 0 0 0 1px #a40e26;
  }
  progress {
    width: 7rem;
    height: 0.75rem;
    vertical-align: middle;
    accent-color: var(--kiln-link, #0b5cad);
  }
`;
