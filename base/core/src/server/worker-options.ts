import { ErrorCode, KilnError } from '@kiln/api';

/** The most workers a container may have: far beyond any machine's cores or GPUs. */
export const MAX_WORKERS = 256;

/**
 * How long an idle mule waits for the next build before it exits, by default (a mule whose build
 * took longer than half a second exits as soon as that build ends, unless builds wait). A mule is a
 * whole Node.js process (about 50 MiB even idle, most of it Node's own code), and an idle
 * container should be one process; but the builds of a pipeline's runs, a sweep or a script
 * follow each other within a second or two, and a mule started for each costs more than the
 * step itself (a pipeline of six quick steps: 1.5 s with a 500 ms spell, 0.12 s with 5 s).
 * docs/mule.md has the figures.
 */
export const DEFAULT_MULE_IDLE_MS = 5_000;

/** The worker-related options, as given. */
export interface WorkerOptions {
  workers?: number;
  gpus?: readonly number[];
  muleIdleMs?: number;
}

/** The worker-related options, checked, with defaults. */
export interface ResolvedWorkerOptions {
  workers: number;
  gpus: number[];
  muleIdleMs: number;
}

function refuse(message: string): KilnError {
  return new KilnError(ErrorCode.InvalidOption, message);
}

/**
 * A worker count from a flag or environment variable; `source` names it in the error
 * (`--workers`, `KILN_WORKERS`).
 */
export function parseWorkerCount(text: string, source: string): number {
  const value = /^\s*\d+\s*$/.test(text) ? Number(text) : Number.NaN;
  checkWorkerCount(value, source, text);
  return value;
}

/** A GPU list such as `0,1,3` from a flag or environment variable. */
export function parseGpuList(text: string, source: string): number[] {
  const items = text.split(',').map((item) => item.trim());
  if (items.some((item) => !/^\d+$/.test(item) || !Number.isSafeInteger(Number(item)))) {
    throw refuse(
      `${source} must list GPU indices (integers from 0) separated by commas, got '${text}'`,
    );
  }
  const gpus = items.map(Number);
  checkGpus(gpus, source);
  return gpus;
}

/** A duration in milliseconds (an integer from 0) from a flag or environment variable. */
export function parseMilliseconds(text: string, source: string): number {
  const value = /^\s*\d+\s*$/.test(text) ? Number(text) : Number.NaN;
  checkMilliseconds(value, source, text);
  return value;
}

/**
 * Checks the worker options and fills in their defaults: without `workers`, one worker per GPU
 * (or one without GPUs). With GPUs, each worker gets its own, so more workers than GPUs is
 * refused; fewer leaves the last GPUs unused.
 */
export function resolveWorkerOptions(options: WorkerOptions): ResolvedWorkerOptions {
  const gpus = [...(options.gpus ?? [])];
  checkGpus(gpus, 'gpus');
  const workers = options.workers ?? Math.max(gpus.length, 1);
  checkWorkerCount(workers, 'workers', String(workers));
  if (gpus.length > 0 && workers > gpus.length) {
    throw refuse(
      `${workers} workers but ${gpus.length} GPU${gpus.length === 1 ? '' : 's'} (${gpus.join(',')}): ` +
        `each worker gets its own GPU, so at most ${gpus.length} workers`,
    );
  }
  const muleIdleMs = options.muleIdleMs ?? DEFAULT_MULE_IDLE_MS;
  checkMilliseconds(muleIdleMs, 'muleIdleMs', String(muleIdleMs));
  return { workers, gpus, muleIdleMs };
}

function checkWorkerCount(value: number, source: string, text: string): void {
  if (!Number.isInteger(value) || value < 1 || value > MAX_WORKERS) {
    throw refuse(`${source} must be an integer from 1 to ${MAX_WORKERS}, got '${text.trim()}'`);
  }
}

function checkGpus(gpus: readonly number[], source: string): void {
  const seen = new Set<number>();
  for (const gpu of gpus) {
    if (!Number.isSafeInteger(gpu) || gpu < 0)
      throw refuse(`${source} must list GPU indices (integers from 0), got '${gpu}'`);
    if (seen.has(gpu)) throw refuse(`${source} lists GPU ${gpu} twice`);
    seen.add(gpu);
  }
}

function checkMilliseconds(value: number, source: string, text: string): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw refuse(`${source} must be a whole number of milliseconds from 0, got '${text.trim()}'`);
  }
}
