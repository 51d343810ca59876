import type { ContainerClient } from '../client/container-client.js';

const NEWLINE = 0x0a;

/**
 * Copies a step's log into the run's log line by line: each {@link copyNew} reads the bytes
 * written since the last one (`?offset=`), and {@link finish} also hands on a last line without
 * a newline. Lines are split on bytes, so a multi-byte character cut between two reads arrives
 * whole.
 */
export class LogCopier {
  readonly #client: ContainerClient;
  readonly #artifact: string;
  readonly #emit: (line: string) => void;
  #offset = 0;
  #partial: Buffer = Buffer.alloc(0);

  constructor(client: ContainerClient, artifact: string, emit: (line: string) => void) {
    this.#client = client;
    this.#artifact = artifact;
    this.#emit = emit;
  }

  /** Copies every complete line written since the last call. */
  async copyNew(signal?: AbortSignal): Promise<void> {
    const chunk = await this.#client.log(this.#artifact, this.#offset, signal);
    this.#offset += chunk.length;
    let text = this.#partial.length > 0 ? Buffer.concat([this.#partial, chunk]) : chunk;
    for (let end = text.indexOf(NEWLINE); end >= 0; end = text.indexOf(NEWLINE)) {
      this.#emit(text.subarray(0, end).toString('utf8').replace(/\r$/, ''));
      text = text.subarray(end + 1);
    }
    this.#partial = Buffer.from(text);
  }

  /** Copies the rest of the log; call once the step is final. */
  async finish(signal?: AbortSignal): Promise<void> {
    await this.copyNew(signal);
    if (this.#partial.length > 0) this.#emit(this.#partial.toString('utf8'));
    this.#partial = Buffer.alloc(0);
  }
}
