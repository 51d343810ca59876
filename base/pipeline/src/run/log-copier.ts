import { LineSplitter, type ToolClient } from '@kiln/client';

/**
 * Copies a step's log into the run's log line by line: each {@link copyNew} reads the bytes
 * written since the last one (`logBytes` from an offset), and {@link finish} also hands on a
 * last line without a newline. Lines are split on bytes, so a multi-byte character cut between
 * two reads arrives whole.
 */
export class LogCopier {
  readonly #client: ToolClient;
  readonly #artifact: string;
  readonly #emit: (line: string) => void;
  readonly #lines = new LineSplitter();
  #offset = 0;

  constructor(client: ToolClient, artifact: string, emit: (line: string) => void) {
    this.#client = client;
    this.#artifact = artifact;
    this.#emit = emit;
  }

  /** Copies every complete line written since the last call. */
  async copyNew(signal?: AbortSignal): Promise<void> {
    const chunk = await this.#client.logBytes(this.#artifact, {
      offset: this.#offset,
      ...(signal ? { signal } : {}),
    });
    this.#offset += chunk.length;
    for (const line of this.#lines.push(chunk)) this.#emit(line);
  }

  /** Copies the rest of the log; call once the step is final. */
  async finish(signal?: AbortSignal): Promise<void> {
    await this.copyNew(signal);
    for (const line of this.#lines.flush()) this.#emit(line);
  }
}
