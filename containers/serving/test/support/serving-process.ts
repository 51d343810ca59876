import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../../dist/main.js', import.meta.url));
const LISTENING = /serving listening on (http:\/\/\S+)/;

/** The serving container's `dist/main.js` in its own process. */
export interface ServingProcess {
  url: string;
  child: ChildProcess;
  /** Its log so far (stderr). */
  log(): string;
  /** SIGTERM, then wait for the exit. */
  stop(): Promise<void>;
  /** SIGKILL (`kill -9`), then wait for the exit. */
  kill(): Promise<void>;
}

/** Starts `dist/main.js` on a free loopback port with `dataDir`, and waits for its URL. */
export async function spawnServing(
  dataDir: string,
  env: Record<string, string> = {},
): Promise<ServingProcess> {
  const child = spawn(process.execPath, [MAIN], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString('utf8')));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      const match = LISTENING.exec(out);
      if (match?.[1]) resolve(match[1]);
    });
    child.once('exit', (code) => reject(new Error(`serving exited with ${code}:\n${log}`)));
  });
  const end = async (signal: NodeJS.Signals): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill(signal);
    await exited;
  };
  return { url, child, log: () => log, stop: () => end('SIGTERM'), kill: () => end('SIGKILL') };
}
