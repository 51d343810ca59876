import { StringDecoder } from 'node:string_decoder';

/**
 * Writes whole lines of a child's output to `output`, each behind `prefix`, as
 * `docker compose up` does, so interleaved services stay readable. A partial line waits for its
 * end (or for {@link LinePrefixer.flush}).
 */
export class LinePrefixer {
  readonly #output: NodeJS.WritableStream;
  readonly #prefix: string;
  readonly #onLine: ((line: string) => void) | undefined;
  readonly #decoder = new StringDecoder('utf8');
  #partial = '';

  /** `onLine` sees every line without its prefix (to keep the last few for error reports). */
  constructor(output: NodeJS.WritableStream, prefix: string, onLine?: (line: string) => void) {
    this.#output = output;
    this.#prefix = prefix;
    this.#onLine = onLine;
  }

  write(chunk: Buffer | string): void {
    const text = this.#partial + (typeof chunk === 'string' ? chunk : this.#decoder.write(chunk));
    const lines = text.split('\n');
    this.#partial = lines.pop() ?? '';
    if (lines.length === 0) return;
    const clean = lines.map((line) => line.replace(/\r$/, ''));
    this.#output.write(clean.map((line) => `${this.#prefix}${line}\n`).join(''));
    for (const line of clean) this.#onLine?.(line);
  }

  /** Writes what is left of an unterminated last line. */
  flush(): void {
    const rest = this.#partial + this.#decoder.end();
    this.#partial = '';
    if (!rest) return;
    this.#output.write(`${this.#prefix}${rest}\n`);
    this.#onLine?.(rest);
  }
}

const COLORS = [36, 33, 32, 35, 34, 91, 96, 93, 92, 95, 94];

/** The prefix of service number `index`: its name padded to `width`, coloured for terminals. */
export function servicePrefix(name: string, width: number, index: number, color: boolean): string {
  const label = `${name.padEnd(width)} | `;
  return color ? `\u001b[${COLORS[index % COLORS.length]}m${label}\u001b[0m` : label;
}
