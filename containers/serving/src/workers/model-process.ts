import { ErrorCode, KilnError, type Logger } from '@kiln/api';
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type {
  BenchmarkResult,
  ChildToParent,
  EvaluationResult,
  LoadRequest,
  LoadedModelInfo,
  ParentToChild,
} from '../protocol.js';

const CHILD_ENTRY = fileURLToPath(new URL('../child/model-child-entry.js', import.meta.url));

/** How long a model process has to exit once its channel is closed, before SIGKILL. */
const STOP_GRACE_MS = 5_000;

interface Waiter {
  resolve(message: ChildToParent): void;
  reject(error: unknown): void;
}

/** Distributes `Omit` over a union, so each message keeps its own fields. */
type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;

/**
 * One model process, from the server's side: forks it, loads a model into it and resolves only
 * once it is loaded and warmed up (a process that fails or dies first rejects the start and is
 * killed, as BullMQ's child pool does), then matches each request to its answer by id. When the
 * process dies, every request still waiting fails with `MODEL_CRASHED` (503).
 */
export class ModelProcess {
  readonly info: LoadedModelInfo;
  readonly pid: number;
  /** Milliseconds from fork to loaded and warmed up. */
  readonly loadMs: number;
  readonly #child: ChildProcess;
  readonly #waiters = new Map<number, Waiter>();
  readonly #exitListeners: ((reason: string) => void)[] = [];
  #nextId = 1;
  #exited: string | null = null;
  #stopping = false;

  private constructor(child: ChildProcess, info: LoadedModelInfo, loadMs: number) {
    this.#child = child;
    this.info = info;
    this.pid = child.pid ?? 0;
    this.loadMs = loadMs;
    child.on('message', (message: ChildToParent) => this.#onMessage(message));
    child.once('exit', (code, signal) => this.#onExit(code, signal));
    // A send to a process that just died fails here; its exit settles the waiting requests.
    child.on('error', () => undefined);
  }

  /** Forks a process and loads the model; rejects (killing the process) if it cannot. */
  static async start(request: LoadRequest, logger: Logger): Promise<ModelProcess> {
    const began = performance.now();
    const child = fork(CHILD_ENTRY, [], {
      serialization: 'advanced',
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    // TensorFlow.js prints notices on the console; they belong in the server's log.
    const relay = (chunk: Buffer) =>
      logger.info('model process output', { text: chunk.toString('utf8').trimEnd() });
    child.stdout?.on('data', relay);
    child.stderr?.on('data', relay);
    try {
      const info = await new Promise<LoadedModelInfo>((resolve, reject) => {
        const onExit = (code: number | null, signal: NodeJS.Signals | null) =>
          reject(new Error(`the model process ${describeExit(code, signal)} while loading`));
        child.once('exit', onExit);
        child.once('error', reject);
        child.once('message', (message: ChildToParent) => {
          child.off('exit', onExit);
          if (message.cmd === 'loaded') resolve(message.model);
          else if (message.cmd === 'load-failed')
            reject(
              new KilnError(ErrorCode.ValidationFailed, message.error.message, { status: 422 }),
            );
          else reject(new Error(`the model process answered '${message.cmd}' to its load`));
        });
        child.send({ cmd: 'load', request } satisfies ParentToChild);
      });
      return new ModelProcess(child, info, performance.now() - began);
    } catch (error) {
      child.kill('SIGKILL');
      throw error;
    }
  }

  /** Requests sent and not yet answered. */
  get pending(): number {
    return this.#waiters.size;
  }

  get alive(): boolean {
    return this.#exited === null;
  }

  /** Calls `listener` once if the process dies without being asked to stop. */
  onCrash(listener: (reason: string) => void): void {
    this.#exitListeners.push(listener);
  }

  async predict(pixels: Float32Array, count: number): Promise<Float32Array> {
    const answer = await this.#request({ cmd: 'predict', pixels, count });
    return (answer as Extract<ChildToParent, { cmd: 'predicted' }>).probabilities;
  }

  async evaluate(datasetDir: string, set: string, batchSize: number): Promise<EvaluationResult> {
    const answer = await this.#request({ cmd: 'evaluate', datasetDir, set, batchSize });
    return (answer as Extract<ChildToParent, { cmd: 'evaluated' }>).result;
  }

  async benchmark(runs: number, batchSize: number): Promise<BenchmarkResult> {
    const answer = await this.#request({ cmd: 'benchmark', runs, batchSize });
    return (answer as Extract<ChildToParent, { cmd: 'benchmarked' }>).result;
  }

  /**
   * Stops the process: closes its channel (it exits on its own once the channel is gone),
   * then SIGKILL after a grace period. Requests still waiting fail.
   */
  async stop(): Promise<void> {
    this.#stopping = true;
    if (this.#exited !== null) return;
    const exited = new Promise<void>((done) => this.#child.once('exit', () => done()));
    if (this.#child.connected) this.#child.disconnect();
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), STOP_GRACE_MS);
    await exited;
    clearTimeout(timer);
  }

  #request(message: WithoutId<ParentToChild>): Promise<ChildToParent> {
    if (this.#exited !== null) return Promise.reject(crashed(this.#exited));
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#waiters.set(id, { resolve, reject });
      try {
        this.#child.send({ ...message, id } as ParentToChild);
      } catch {
        // the channel closed under us: the exit handler rejects this waiter
      }
    });
  }

  #onMessage(message: ChildToParent): void {
    if (!('id' in message)) return;
    const waiter = this.#waiters.get(message.id);
    if (!waiter) return;
    this.#waiters.delete(message.id);
    if (message.cmd === 'failed') {
      const status = message.error.code === ErrorCode.Internal ? 500 : 422;
      waiter.reject(
        new KilnError(message.error.code as ErrorCode, message.error.message, { status }),
      );
    } else waiter.resolve(message);
  }

  #onExit(code: number | null, signal: NodeJS.Signals | null): void {
    this.#exited = describeExit(code, signal);
    const error = crashed(this.#exited);
    for (const waiter of this.#waiters.values()) waiter.reject(error);
    this.#waiters.clear();
    if (!this.#stopping) for (const listener of this.#exitListeners) listener(this.#exited);
  }
}

function describeExit(code: number | null, signal: NodeJS.Signals | null): string {
  return signal ? `was killed by ${signal}` : `exited with code ${code}`;
}

function crashed(how: string): KilnError {
  return new KilnError(
    ErrorCode.ModelCrashed,
    `the model process ${how} during the request; a new one is starting`,
    { status: 503, retryable: true },
  );
}
