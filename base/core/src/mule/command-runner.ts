import { ErrorCode, KilnError } from '@kiln/api';
import { spawn } from 'node:child_process';
import { dirname } from 'node:path';
import { createInterface } from 'node:readline';
import { writeFileAtomicSync } from '../util/atomic-write.js';
import type { BuildRecorder } from './build-recorder.js';
import type { BuildJob } from './protocol.js';

/** Lines a command prints on stdout to talk to Kiln (docs/command-builders.md). */
const CONTROL_PREFIX = 'kiln:';

/** Grace between SIGTERM and SIGKILL when a command build is aborted. */
const COMMAND_KILL_GRACE_MS = 2_000;

/** `KILN_INPUT_FILE_TRAIN_IMAGES` for `train-images`. */
function envSuffix(name: string): string {
  return name.toUpperCase().replace(/[^A-Z0-9]/g, '_');
}

/** The environment of the command-builder contract. */
function commandEnvironment(job: BuildJob, inputs: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {
    KILN_ARTIFACT_NAME: job.name,
    KILN_ATTEMPT: String(job.attempt),
    KILN_PARAMETERS_FILE: job.paths.parameters,
    KILN_OUTPUT_DIR: job.paths.staging,
    KILN_INPUT_FILES_DIR: job.paths.inputFiles,
    KILN_INPUTS_DIR: job.paths.inputs,
  };
  for (const [name, path] of Object.entries(job.inputFiles))
    env[`KILN_INPUT_FILE_${envSuffix(name)}`] = path;
  for (const [name, path] of Object.entries(inputs)) env[`KILN_INPUT_${envSuffix(name)}`] = path;
  return env;
}

/**
 * Runs an executable as the builder: parameters, inputs and the output folder through
 * environment variables; `kiln:` lines on stdout for progress, metrics, reports and a failure
 * message; every other line of stdout and stderr into the log. A `kiln:fail` line or a non-zero
 * exit fails the build with a `KilnError` whose message is the whole explanation: the command's
 * own output is already in the log, and the runner's stack would say nothing about the tool.
 */
export async function runCommand(
  command: readonly string[],
  modulePath: string,
  job: BuildJob,
  inputs: Record<string, string>,
  recorder: BuildRecorder,
  signal: AbortSignal,
): Promise<void> {
  const [executable, ...args] = command;
  if (!executable) throw new Error('the tool names an empty command');
  // The server mirrors parameters.json off the request path; the command needs it now.
  writeFileAtomicSync(job.paths.parameters, `${JSON.stringify(job.parameters, null, 2)}\n`);
  const child = spawn(executable, args, {
    cwd: dirname(modulePath),
    env: { ...process.env, ...commandEnvironment(job, inputs) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const onAbort = (): void => {
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), COMMAND_KILL_GRACE_MS).unref();
  };
  signal.addEventListener('abort', onAbort, { once: true });
  const control: ControlState = { failure: null };
  const stdoutDone = consumeLines(child.stdout, (line) =>
    handleStdoutLine(line, recorder, control),
  );
  const stderrDone = consumeLines(child.stderr, (line) => recorder.appendLog(`${line}\n`));
  try {
    const [code, exitSignal] = await new Promise<[number | null, NodeJS.Signals | null]>(
      (done, fail) => {
        child.once('error', fail);
        child.once('close', (exitCode, killSignal) => done([exitCode, killSignal]));
      },
    );
    await Promise.all([stdoutDone, stderrDone]);
    signal.throwIfAborted();
    const failure =
      control.failure ??
      (exitSignal
        ? `command killed by ${exitSignal}`
        : code !== 0
          ? `command exited with code ${code}`
          : null);
    if (failure !== null) throw new KilnError(ErrorCode.BuildFailed, failure);
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

function consumeLines(
  stream: NodeJS.ReadableStream,
  onLine: (line: string) => void,
): Promise<void> {
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  lines.on('line', onLine);
  return new Promise((done) => lines.once('close', done));
}

/** What the command said about itself through control lines, beyond progress and metrics. */
interface ControlState {
  /** The message of the last `kiln:fail` line, if any. */
  failure: string | null;
}

function handleStdoutLine(line: string, recorder: BuildRecorder, control: ControlState): void {
  if (!line.startsWith(CONTROL_PREFIX)) {
    recorder.appendLog(`${line}\n`);
    return;
  }
  try {
    applyControlLine(line.slice(CONTROL_PREFIX.length), recorder, control);
  } catch (error) {
    recorder.appendLog(`kiln: ignored control line '${line}': ${(error as Error).message}\n`);
  }
}

/** `progress 0.5 decoding`, `metric loss 0.31 [step]`, `report name {json}`, `fail message`. */
function applyControlLine(body: string, recorder: BuildRecorder, control: ControlState): void {
  const [verb = '', ...rest] = body.split(' ');
  if (verb === 'progress') {
    const [fraction = '', ...message] = rest;
    recorder.progress(Number(fraction), message.length > 0 ? message.join(' ') : undefined);
  } else if (verb === 'metric') {
    const [name = '', value = '', step] = rest;
    recorder.metric(name, Number(value), step === undefined ? undefined : Number(step));
  } else if (verb === 'report') {
    const [name = '', ...json] = rest;
    recorder.report(name, JSON.parse(json.join(' ')));
  } else if (verb === 'fail') {
    const message = rest.join(' ').trim();
    if (message === '') throw new Error('a failure needs a message');
    control.failure = message;
  } else {
    throw new Error(`unknown verb '${verb}'`);
  }
}
