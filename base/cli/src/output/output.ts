import { formatTable } from './table.js';

/**
 * Where a command writes. stdout carries the result only (a name, a table, a state; JSON with
 * `--json`), so `$(kiln create …)` captures just that. Progress is drawn as bars on stdout when
 * it is a terminal, written as plain lines on stderr otherwise, and left out under `--json`.
 */
export class Output {
  readonly stdout: NodeJS.WriteStream;
  readonly stderr: NodeJS.WriteStream;
  /** `--json`: stdout carries one JSON document and nothing else. */
  readonly json: boolean;

  constructor(stdout: NodeJS.WriteStream, stderr: NodeJS.WriteStream, json: boolean) {
    this.stdout = stdout;
    this.stderr = stderr;
    this.json = json;
  }

  /** True when progress is drawn as bars (stdout is a terminal, no `--json`). */
  get bars(): boolean {
    return !this.json && this.stdout.isTTY === true;
  }

  /** True when progress is written at all (never under `--json`). */
  get progress(): boolean {
    return !this.json;
  }

  /** Writes one plain progress line (stderr). */
  progressLine(text: string): void {
    this.stderr.write(`${text}\n`);
  }

  /** Writes one line to stdout. */
  line(text: string): void {
    this.stdout.write(`${text}\n`);
  }

  /** Writes a table to stdout, or `empty` when there are no rows. */
  table(header: readonly string[], rows: readonly (readonly string[])[], empty: string): void {
    this.line(rows.length === 0 ? empty : formatTable(header, rows));
  }

  /** Writes a value as JSON to stdout. */
  result(value: unknown): void {
    this.line(JSON.stringify(value, null, 2));
  }
}
