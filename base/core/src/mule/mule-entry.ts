/**
 * The mule: a child process that loads the tool module once and builds one artifact at a time
 * for its worker, until the server retires it or goes. Never exported from the package; the
 * server forks this file, one per worker, when work arrives.
 */
import { ErrorCode, KilnError } from '@kiln/api';
import { Topology } from '@kiln/topology';
import { mkdirSync, renameSync, rmdirSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { rm } from 'node:fs/promises';
import { loadToolModule } from '../tool/load-tool-module.js';
import type { ToolDefinition } from '../tool/define-tool.js';
import { describeFiles, digestOf } from '../util/data-digest.js';
import { IdleCollector } from '../util/idle-collector.js';
import { BuildRecorder } from './build-recorder.js';
import { runCommand } from './command-runner.js';
import { fetchInputs } from './input-fetcher.js';
import {
  MULE_MODULE_ENV,
  MULE_SETTINGS_ENV,
  MULE_TOPOLOGY_ENV,
  type BuildJob,
  type MuleToServer,
  type ServerToMule,
} from './protocol.js';

const send = (message: MuleToServer): void => {
  process.send?.(message);
};

const modulePath = process.env[MULE_MODULE_ENV];
let tool: ToolDefinition;
let topology: Topology;
let settings: Record<string, unknown>;
try {
  if (!modulePath) throw new Error(`${MULE_MODULE_ENV} is not set`);
  const topologyJson = process.env[MULE_TOPOLOGY_ENV];
  topology = topologyJson ? Topology.from(JSON.parse(topologyJson)) : Topology.EMPTY;
  settings = JSON.parse(process.env[MULE_SETTINGS_ENV] || '{}') as Record<string, unknown>;
  tool = await loadToolModule(modulePath);
} catch (error) {
  send({
    cmd: 'init-failed',
    error: { code: ErrorCode.MuleCrashed, message: (error as Error).message },
  });
  process.exit(1);
}

let current: { name: string; controller: AbortController; recorder: BuildRecorder } | null = null;
// A build may leave a large heap behind (a training set, tensors): give it back while idle.
const idle = new IdleCollector();

/**
 * A build's console output goes straight into its log, written before the build reports its
 * end, so the server never marks an artifact final while lines of it are still in a pipe.
 */
function captureConsole(stream: NodeJS.WriteStream): void {
  const original = stream.write.bind(stream) as (...args: unknown[]) => boolean;
  stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]): boolean => {
    if (!current) return original(chunk, ...rest);
    current.recorder.appendLog(
      typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'),
    );
    const callback = rest.find((arg): arg is () => void => typeof arg === 'function');
    callback?.();
    return true;
  }) as typeof stream.write;
}
captureConsole(process.stdout);
captureConsole(process.stderr);

process.on('message', (message: ServerToMule) => {
  if (message.cmd === 'build') void build(message.job);
  else if (message.cmd === 'abort' && current?.name === message.name) current.controller.abort();
});
// Exit with the server, or when the server retires this mule: a mule never outlives its parent
// (Vitest's init-forks does the same). A build still running is aborted first, so that a command
// it runs gets its SIGTERM rather than living on.
process.on('disconnect', () => {
  current?.controller.abort();
  process.exit(0);
});

send({ cmd: 'ready', pid: process.pid });

async function build(job: BuildJob): Promise<void> {
  const controller = new AbortController();
  const recorder = new BuildRecorder(job.name, job.paths, send);
  current = { name: job.name, controller, recorder };
  idle.busy();
  try {
    // Synchronous on purpose: the mule does one thing at a time, so a thread-pool round trip
    // would only add latency to every build.
    if (job.attempt > 1) rmSync(job.paths.staging, { recursive: true, force: true });
    mkdirSync(job.paths.staging, { recursive: true });
    const inputs = await fetchInputs(
      job.inputRefs,
      job.paths.inputs,
      topology,
      controller.signal,
      (line) => recorder.log(line),
    );
    controller.signal.throwIfAborted();
    if (tool.build) {
      await tool.build({
        name: job.name,
        attempt: job.attempt,
        parameters: job.parameters,
        inputFiles: job.inputFiles,
        inputs,
        outputDir: job.paths.staging,
        log: (...args) => recorder.log(...args),
        metric: (name, value, step) => recorder.metric(name, value, step),
        report: (name, json) => recorder.report(name, json),
        progress: (fraction, message) => recorder.progress(fraction, message),
        signal: controller.signal,
        topology,
        settings,
      });
    } else {
      await runCommand(tool.command ?? [], modulePath!, job, inputs, recorder, controller.signal);
    }
    controller.signal.throwIfAborted();
    const files = await describeFiles(job.paths.staging, { sync: true });
    if (job.inputRefs.length > 0) await rm(job.paths.inputs, { recursive: true, force: true });
    // The data appears in one rename. Should the mule die before the server records the build,
    // the artifact is still in progress and is built again (its next attempt clears data/).
    renameSync(job.paths.staging, job.paths.data);
    removeEmptyFolder(dirname(job.paths.staging));
    recorder.close();
    send({ cmd: 'completed', name: job.name, files, digest: digestOf(files) });
  } catch (error) {
    if (controller.signal.aborted) {
      recorder.close();
      send({ cmd: 'aborted', name: job.name });
    } else {
      const err = error instanceof Error ? error : new Error(String(error));
      // A KilnError (a command builder that failed) is explained whole by its message, which the
      // server writes into the log as one line; its stack would only show Kiln's runner.
      if (!(err instanceof KilnError)) recorder.appendLog(`${err.stack ?? err.message}\n`);
      recorder.close();
      send({
        cmd: 'failed',
        name: job.name,
        error: { code: ErrorCode.BuildFailed, message: err.message },
      });
    }
  } finally {
    current = null;
    idle.touch();
  }
}

/** Removes a folder if it is empty (the staging folder, once its attempt's output moved out). */
function removeEmptyFolder(path: string): void {
  try {
    rmdirSync(path);
  } catch {
    // not empty (another attempt's output), or gone already
  }
}
