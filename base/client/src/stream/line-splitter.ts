/**
 * Splits a byte stream into UTF-8 lines and counts the bytes of the lines it gave out, so that a
 * broken stream can be resumed at a line boundary (`?offset=`).
 */
export class LineSplitter {
  #pending: Buffer = Buffer.alloc(0);
  /** Bytes consumed by complete lines so far, counted from where the stream started. */
  consumed = 0;

  /** The lines completed by `chunk`, without their line ends. */
  push(chunk: Buffer): string[] {
    this.#pending = this.#pending.length === 0 ? chunk : Buffer.concat([this.#pending, chunk]);
    const lines: string[] = [];
    let start = 0;
    for (
      let newline = this.#pending.indexOf(10, start);
      newline !== -1;
      newline = this.#pending.indexOf(10, start)
    ) {
      const end = newline > start && this.#pending[newline - 1] === 13 ? newline - 1 : newline;
      lines.push(this.#pending.toString('utf8', start, end));
      start = newline + 1;
    }
    this.consumed += start;
    this.#pending = this.#pending.subarray(start);
    return lines;
  }

  /** The last line when the stream ended without a line end. */
  flush(): string[] {
    if (this.#pending.length === 0) return [];
    const last = this.#pending.toString('utf8');
    this.consumed += this.#pending.length;
    this.#pending = Buffer.alloc(0);
    return [last];
  }
}
