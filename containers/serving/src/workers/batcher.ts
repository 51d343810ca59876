/** How a {@link Batcher} groups requests. */
export interface BatchingOptions {
  /**
   * The most rows (images) one batch holds. A request with more rows than this is run alone.
   * 1 turns batching off.
   * @defaultValue 32
   */
  maxBatchSize: number;
  /**
   * How long the first request of a batch may wait for others to join it while the model is
   * idle, in milliseconds. While a batch runs, requests queue anyway and the next batch takes
   * all of them (up to `maxBatchSize`) the moment it ends; and with 0, the requests that arrive
   * in the same turn of the event loop still leave together. So 0 adds no latency when the load
   * is light and still batches under load.
   * @defaultValue 0
   */
  maxDelayMs: number;
}

/** Runs one batch: `count` rows of `rowSize` values → `count` rows of output values. */
export type RunBatch = (input: Float32Array, count: number) => Promise<Float32Array>;

interface Pending {
  input: Float32Array;
  count: number;
  since: number;
  resolve(output: Float32Array): void;
  reject(error: unknown): void;
}

/**
 * Dynamic batching in front of one model process: requests that arrive while a batch runs are
 * run together as the next batch, one batch at a time. Each request gets back its own rows of
 * the output. `pause()` holds batches (a model process being replaced) without losing any.
 */
export class Batcher {
  readonly #options: BatchingOptions;
  readonly #rowSize: number;
  readonly #run: RunBatch;
  readonly #queue: Pending[] = [];
  #queuedRows = 0;
  #running = false;
  #paused = false;
  #timer: NodeJS.Timeout | undefined;
  #immediate: NodeJS.Immediate | undefined;
  /** True while a scheduled dispatch runs: the batch leaves now, full or not. */
  #turnEnded = false;
  #idleWaiters: (() => void)[] = [];

  constructor(options: BatchingOptions, rowSize: number, run: RunBatch) {
    this.#options = options;
    this.#rowSize = rowSize;
    this.#run = run;
  }

  /** Requests queued or running. */
  get pending(): number {
    return this.#queue.length + (this.#running ? 1 : 0);
  }

  /** True while a batch runs. */
  get running(): boolean {
    return this.#running;
  }

  /** Queues `count` rows; resolves with their output rows. */
  submit(input: Float32Array, count: number): Promise<Float32Array> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ input, count, since: performance.now(), resolve, reject });
      this.#queuedRows += count;
      this.#pump();
    });
  }

  /** Resolves once nothing is queued or running. */
  whenIdle(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /** Holds queued requests until {@link resume}. */
  pause(): void {
    this.#paused = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#immediate) clearImmediate(this.#immediate);
    this.#immediate = undefined;
  }

  resume(): void {
    this.#paused = false;
    this.#pump();
  }

  /** Fails every queued request (not the running batch). */
  rejectQueued(error: unknown): void {
    for (const item of this.#queue.splice(0)) item.reject(error);
    this.#queuedRows = 0;
    this.#notifyIdle();
  }

  #notifyIdle(): void {
    if (this.pending !== 0) return;
    for (const waiter of this.#idleWaiters.splice(0)) waiter();
  }

  #pump(): void {
    if (this.#running || this.#paused || this.#queue.length === 0) return;
    const { maxBatchSize, maxDelayMs } = this.#options;
    const waited = performance.now() - this.#queue[0]!.since;
    if (this.#queuedRows < maxBatchSize) {
      if (waited < maxDelayMs) {
        this.#timer ??= setTimeout(() => this.#fire(), maxDelayMs - waited);
        return;
      }
      // Even without a delay, wait for the end of this turn of the event loop: the requests whose
      // bodies arrived in the same turn join one batch (one message to the model process instead
      // of one each), for microseconds of latency.
      if (!this.#turnEnded) {
        this.#immediate ??= setImmediate(() => {
          this.#immediate = undefined;
          this.#turnEnded = true;
          this.#pump();
          this.#turnEnded = false;
        });
        return;
      }
    }
    clearTimeout(this.#timer);
    this.#timer = undefined;
    void this.#runNext();
  }

  #fire(): void {
    this.#timer = undefined;
    this.#turnEnded = true;
    this.#pump();
    this.#turnEnded = false;
  }

  async #runNext(): Promise<void> {
    const batch = this.#take();
    this.#running = true;
    try {
      const rows = batch.reduce((sum, item) => sum + item.count, 0);
      const input = batch.length === 1 ? batch[0]!.input : new Float32Array(rows * this.#rowSize);
      if (batch.length > 1) {
        let offset = 0;
        for (const item of batch) {
          input.set(item.input, offset);
          offset += item.input.length;
        }
      }
      const output = await this.#run(input, rows);
      const outputRow = output.length / rows;
      let row = 0;
      for (const item of batch) {
        item.resolve(output.subarray(row * outputRow, (row + item.count) * outputRow));
        row += item.count;
      }
    } catch (error) {
      for (const item of batch) item.reject(error);
    } finally {
      this.#running = false;
      this.#pump();
      this.#notifyIdle();
    }
  }

  /** The next batch: the oldest request, then as many more as fit in `maxBatchSize` rows. */
  #take(): Pending[] {
    const batch = [this.#queue.shift()!];
    let rows = batch[0]!.count;
    while (this.#queue.length > 0 && rows + this.#queue[0]!.count <= this.#options.maxBatchSize) {
      const item = this.#queue.shift()!;
      rows += item.count;
      batch.push(item);
    }
    this.#queuedRows -= rows;
    return batch;
  }
}
