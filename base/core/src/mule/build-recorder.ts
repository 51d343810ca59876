import { isValidName } from '@kiln/api';
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { format } from 'node:util';
import { writeFileAtomicSync } from '../util/atomic-write.js';
import { REPORT_SUFFIX, SERIES_SUFFIX, type ArtifactPaths } from '../store/store-layout.js';
import type { MuleToServer } from './protocol.js';

/**
 * Writes a build's log, metrics and reports to the artifact's folder as they happen (so nothing
 * is lost if the mule dies), and tells the server, coalescing notifications to one per tick.
 */
export class BuildRecorder {
  readonly #name: string;
  readonly #paths: ArtifactPaths;
  readonly #send: (message: MuleToServer) => void;
  #logFd: number | null = null;
  #metricsDirReady = false;
  readonly #seriesFds = new Map<string, number>();
  readonly #nextStep = new Map<string, number>();
  #pendingProgress: { fraction: number; message: string | null } | null = null;
  #pendingLog = false;
  #pendingMetric = false;
  #flushScheduled = false;
  #closed = false;

  constructor(name: string, paths: ArtifactPaths, send: (message: MuleToServer) => void) {
    this.#name = name;
    this.#paths = paths;
    this.#send = send;
  }

  log(...args: unknown[]): void {
    this.appendLog(`${format(...args)}\n`);
  }

  appendLog(text: string): void {
    // A build may still log after it settled (a stray timer); the artifact is final by then.
    if (this.#closed) return;
    // Opened on first use: a build that logs nothing costs no file operation.
    this.#logFd ??= openSync(this.#paths.log, 'a');
    writeSync(this.#logFd, text);
    this.#pendingLog = true;
    this.#scheduleFlush();
  }

  metric(name: string, value: number, step?: number): void {
    checkMetricName(name);
    if (this.#closed) return;
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new TypeError(`metric '${name}': value must be a finite number, got ${String(value)}`);
    }
    const resolvedStep = step ?? this.#nextStep.get(name) ?? 0;
    if (!Number.isFinite(resolvedStep))
      throw new TypeError(`metric '${name}': step must be a finite number`);
    this.#nextStep.set(name, resolvedStep + 1);
    let fd = this.#seriesFds.get(name);
    if (fd === undefined) {
      this.#ensureMetricsDir();
      fd = openSync(join(this.#paths.metrics, name + SERIES_SUFFIX), 'a');
      this.#seriesFds.set(name, fd);
    }
    writeSync(
      fd,
      `${JSON.stringify({ step: resolvedStep, value, time: new Date().toISOString() })}\n`,
    );
    this.#pendingMetric = true;
    this.#scheduleFlush();
  }

  report(name: string, json: unknown): void {
    checkMetricName(name);
    const text = JSON.stringify(json);
    if (text === undefined) throw new TypeError(`report '${name}': value is not JSON`);
    this.#ensureMetricsDir();
    writeFileAtomicSync(join(this.#paths.metrics, name + REPORT_SUFFIX), text);
    this.#pendingMetric = true;
    this.#scheduleFlush();
  }

  progress(fraction: number, message?: string): void {
    const clamped = Number.isFinite(fraction) ? Math.min(1, Math.max(0, fraction)) : 0;
    this.#pendingProgress = { fraction: clamped, message: message ?? null };
    this.#scheduleFlush();
  }

  /** Sends whatever is pending now; called before the build's final message. */
  flush(): void {
    this.#flushScheduled = false;
    if (this.#closed) return;
    if (this.#pendingProgress) {
      this.#send({ cmd: 'progress', name: this.#name, ...this.#pendingProgress });
      this.#pendingProgress = null;
    }
    if (this.#pendingLog) this.#send({ cmd: 'log', name: this.#name });
    if (this.#pendingMetric) this.#send({ cmd: 'metric', name: this.#name });
    this.#pendingLog = false;
    this.#pendingMetric = false;
  }

  close(): void {
    if (this.#closed) return;
    this.flush();
    this.#closed = true;
    if (this.#logFd !== null) closeSync(this.#logFd);
    for (const fd of this.#seriesFds.values()) closeSync(fd);
    this.#seriesFds.clear();
  }

  #ensureMetricsDir(): void {
    if (this.#metricsDirReady) return;
    mkdirSync(this.#paths.metrics, { recursive: true });
    this.#metricsDirReady = true;
  }

  #scheduleFlush(): void {
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    setImmediate(() => this.flush());
  }
}

function checkMetricName(name: string): void {
  if (!isValidName(name)) throw new TypeError(`'${String(name)}' is not a valid metric name`);
}
