import type { ContainerClient } from '../client/container-client.js';

const NEWLINE = 0x0a;

/**
 * Copies a step's log into the run's log line by line while the step builds (`?follow=1`), then,
 * once the step is final, reads whatever the stream had not delivered yet (`?offset=`). Lines are
 * split on bytes, so a multi-byte character cut between two chunks arrives whole.
 */
export class LogFollower {
  readonly #client: ContainerClient;
  readonly #artifact: string;
  readonly #emit: (line: string) => void;
  readonly #controller = new AbortController();
  #offset = 0;
  #partial: Buffer = Buffer.alloc(0);
  #stopped = false;

  constructor(client: ContainerClient, artifact: string, emit: (line: string) => void) {
    this.#client = client;
    this.#artifact = artifact;
    this.#emit = emit;
  }

  /** Starts following; failures are left to {@link finish}, which reads what is missing. */
  start(signal: AbortSignal): void {
    const stream = this.#client.followLog(
      this.#artifact,
      this.#offset,
      AbortSignal.any([signal, this.#controller.signal]),
    );
    stream.on('response', (response: { statusCode: number }) => {
      if (response.statusCode !== 200) stream.destroy();
    });
    stream.on('data', (chunk: Buffer) => {
      if (!this.#stopped) this.#consume(chunk);
    });
    stream.on('error', () => {});
  }

  /** Stops the stream and copies the rest of the log; call once the step is final. */
  async finish(signal?: AbortSignal): Promise<void> {
    this.#stopped = true;
    this.#controller.abort();
    this.#consume(await this.#client.log(this.#artifact, this.#offset, signal));
    if (this.#partial.length > 0) this.#emit(this.#partial.toString('utf8'));
    this.#partial = Buffer.alloc(0);
  }

  #consume(chunk: Buffer): void {
    this.#offset += chunk.length;
    let text = this.#partial.length > 0 ? Buffer.concat([this.#partial, chunk]) : chunk;
    for (let end = text.indexOf(NEWLINE); end >= 0; end = text.indexOf(NEWLINE)) {
      this.#emit(text.subarray(0, end).toString('utf8').replace(/\r$/, ''));
      text = text.subarray(end + 1);
    }
    this.#partial = Buffer.from(text);
  }
}
