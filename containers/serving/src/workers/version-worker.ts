import { ErrorCode, KilnError, type Logger } from '@kiln/api';
import type {
  BenchmarkResult,
  EvaluationResult,
  LoadRequest,
  LoadedModelInfo,
} from '../protocol.js';
import { Batcher, type BatchingOptions } from './batcher.js';
import { ModelProcess } from './model-process.js';

/** Where a version's worker stands. */
export const WorkerState = {
  /** Its process answers. */
  Ready: 'ready',
  /** Its process died; a new one is starting, and requests wait for it. */
  Restarting: 'restarting',
  /** It takes no new request, finishes those it has, then stops. */
  Draining: 'draining',
  Stopped: 'stopped',
} as const;
export type WorkerState = (typeof WorkerState)[keyof typeof WorkerState];

/** Delays before each new attempt to start a process that died (the last one repeats). */
const RESTART_BACKOFF_MS = [0, 250, 1_000, 5_000];

/** What a {@link VersionWorker} runs. */
export interface VersionWorkerOptions {
  model: string;
  version: number;
  load: LoadRequest;
  batching: BatchingOptions;
  logger: Logger;
}

/** What `/health` shows of a worker. */
export interface WorkerStatus {
  model: string;
  version: number;
  state: WorkerState;
  pid: number;
  /** Requests queued or running. */
  pending: number;
  restarts: number;
}

/**
 * One loaded version: its model process behind a {@link Batcher}. A process that dies takes
 * only the batch it was running with it (those requests fail with 503); queued requests wait
 * while a new process for the same version starts, and the next request succeeds. `drain()`
 * is the other half of a hot swap: no new requests, the ones it holds finish, then it stops.
 */
export class VersionWorker {
  readonly model: string;
  readonly version: number;
  readonly #options: VersionWorkerOptions;
  readonly #logger: Logger;
  readonly #batcher: Batcher;
  #process: ModelProcess;
  #state: WorkerState = WorkerState.Ready;
  #restarts = 0;
  #failedStarts = 0;

  private constructor(options: VersionWorkerOptions, process: ModelProcess) {
    this.model = options.model;
    this.version = options.version;
    this.#options = options;
    this.#logger = options.logger;
    this.#process = process;
    const { height, width } = process.info.signature.imageSize;
    this.#batcher = new Batcher(options.batching, height * width, (input, count) =>
      this.#process.predict(input, count),
    );
    this.#watch(process);
  }

  /** Starts the version's process (load and warm-up); rejects if it cannot. */
  static async start(options: VersionWorkerOptions): Promise<VersionWorker> {
    const process = await ModelProcess.start(options.load, options.logger);
    return new VersionWorker(options, process);
  }

  get state(): WorkerState {
    return this.#state;
  }

  get info(): LoadedModelInfo {
    return this.#process.info;
  }

  /** Milliseconds the first process took to load and warm up. */
  get loadMs(): number {
    return this.#process.loadMs;
  }

  status(): WorkerStatus {
    return {
      model: this.model,
      version: this.version,
      state: this.#state,
      pid: this.#process.pid,
      pending: this.#batcher.pending,
      restarts: this.#restarts,
    };
  }

  /** Predicts `count` images of raw pixels, batched with concurrent requests. */
  infer(pixels: Float32Array, count: number): Promise<Float32Array> {
    if (this.#state === WorkerState.Draining || this.#state === WorkerState.Stopped) {
      return Promise.reject(
        new KilnError(
          ErrorCode.ModelNotReady,
          `version ${this.version} of '${this.model}' is no longer loaded`,
          { status: 503, retryable: true },
        ),
      );
    }
    return this.#batcher.submit(pixels, count);
  }

  evaluate(datasetDir: string, set: string, batchSize: number): Promise<EvaluationResult> {
    return this.#process.evaluate(datasetDir, set, batchSize);
  }

  benchmark(runs: number, batchSize: number): Promise<BenchmarkResult> {
    return this.#process.benchmark(runs, batchSize);
  }

  /** Takes no new request, lets those it holds finish, then stops its process. */
  async drain(): Promise<void> {
    if (this.#state === WorkerState.Stopped) return;
    this.#state = WorkerState.Draining;
    await this.#batcher.whenIdle();
    await this.stop();
  }

  /** Stops the process now; queued requests fail. */
  async stop(): Promise<void> {
    this.#state = WorkerState.Stopped;
    this.#batcher.rejectQueued(
      new KilnError(ErrorCode.ModelNotReady, `version ${this.version} of '${this.model}' stopped`, {
        status: 503,
      }),
    );
    await this.#process.stop();
  }

  #watch(process: ModelProcess): void {
    process.onCrash((how) => {
      if (this.#state === WorkerState.Stopped || process !== this.#process) return;
      this.#logger.warn('model process died; starting a new one', {
        model: this.model,
        version: this.version,
        how,
      });
      this.#batcher.pause();
      if (this.#state === WorkerState.Ready) this.#state = WorkerState.Restarting;
      this.#restart();
    });
  }

  #restart(): void {
    const delay = RESTART_BACKOFF_MS[Math.min(this.#failedStarts, RESTART_BACKOFF_MS.length - 1)]!;
    setTimeout(() => {
      if (this.#state === WorkerState.Stopped) return;
      ModelProcess.start(this.#options.load, this.#logger).then(
        (process) => {
          if (this.#state === WorkerState.Stopped) {
            void process.stop();
            return;
          }
          this.#process = process;
          this.#restarts += 1;
          this.#failedStarts = 0;
          if (this.#state === WorkerState.Restarting) this.#state = WorkerState.Ready;
          this.#watch(process);
          this.#batcher.resume();
        },
        (error: unknown) => {
          this.#failedStarts += 1;
          this.#logger.error('a new model process could not start', {
            model: this.model,
            version: this.version,
            error: error instanceof Error ? error.message : String(error),
          });
          // Nobody should wait on a process that cannot start; later requests queue again.
          this.#batcher.rejectQueued(
            new KilnError(
              ErrorCode.ModelNotReady,
              `version ${this.version} of '${this.model}' cannot be loaded right now`,
              { status: 503, retryable: true },
            ),
          );
          this.#restart();
        },
      );
    }, delay).unref();
  }
}
