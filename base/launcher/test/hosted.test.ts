import { afterAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// `kiln up` hosting services in its own process (the default), as `npm start` runs it: an error
// escaping one hosted service stops and restarts that service only; `--isolate` and
// `KILN_ISOLATE=1` give each a process of its own.
const CLI = fileURLToPath(new URL('../../cli/dist/main.js', import.meta.url));
const COMPOSE = fileURLToPath(new URL('./fixtures/hosted/docker-compose.yml', import.meta.url));
const temporary: string[] = [];
const children: ChildProcessWithoutNullStreams[] = [];

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await Promise.all(temporary.map((dir) => rm(dir, { recursive: true, force: true })));
});

interface Up {
  child: ChildProcessWithoutNullStreams;
  url: string;
  output: () => string;
  /** Resolves once the output (from the start) matches `pattern` `times` times. */
  until: (pattern: RegExp, times?: number) => Promise<void>;
}

async function up(args: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<Up> {
  const data = await mkdtemp(join(tmpdir(), 'kiln-hosted-'));
  temporary.push(data);
  const child = spawn(
    process.execPath,
    [CLI, 'up', '-f', COMPOSE, '--port', '0', '--base-port', '0', '-d', data, ...args],
    { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, KILN_TOKEN: '', ...env } },
  );
  children.push(child);
  let out = '';
  const waiters = new Set<() => void>();
  const onData = (chunk: string): void => {
    out += chunk;
    waiters.forEach((check) => check());
  };
  child.stdout.setEncoding('utf8').on('data', onData);
  child.stderr.setEncoding('utf8').on('data', onData);
  const until = (pattern: RegExp, times = 1): Promise<void> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        if ((out.match(new RegExp(pattern.source, 'gm')) ?? []).length < times) return;
        waiters.delete(check);
        resolve();
      };
      waiters.add(check);
      child.once('exit', (code) => reject(new Error(`kiln up exited with ${code}:\n${out}`)));
      check();
    });
  await until(/Kiln is up: http/);
  const url = /Kiln is up: (http:\/\/127\.0\.0\.1:\d+)\//.exec(out)![1]!;
  return { child, url, output: () => out, until };
}

async function info(url: string): Promise<{ name: string; starts: number; pid: number }> {
  return (await (await fetch(`${url}/info`)).json()) as {
    name: string;
    starts: number;
    pid: number;
  };
}

/** The crashy service's URL, from its "listening on" line. */
function crashyUrl(output: string): string {
  const lines = [...output.matchAll(/crashy +\| crashy listening on (http:\S+)/g)];
  return lines.at(-1)![1]!;
}

async function stop(child: ChildProcessWithoutNullStreams): Promise<number | null> {
  const exited = once(child, 'exit');
  child.kill('SIGINT');
  const [code] = (await exited) as [number | null];
  return code;
}

describe('kiln up, hosting services in its own process', () => {
  it('logs an error escaping one service, restarts that service, and the others go on', async () => {
    const { child, url, output, until } = await up();
    const front = await info(url);
    // Hosted: the service runs in kiln up's own process.
    expect(front.pid).toBe(child.pid);
    const crashy = crashyUrl(output());
    expect(await info(crashy)).toMatchObject({ starts: 1, pid: child.pid });

    await fetch(`${crashy}/throw`);
    await until(/crashy crashed \(Error: crashy blew up\); restarting in 500 ms/);
    // Printed behind its name, as Node.js prints an uncaught error, stack included.
    expect(output()).toMatch(/^crashy +\| Error: crashy blew up$/m);
    expect(output()).toMatch(/^crashy +\| +at /m);
    expect(await info(url)).toEqual(front);
    await until(/crashy +\| crashy listening on/, 2);
    expect(await info(crashyUrl(output()))).toMatchObject({ starts: 2, pid: child.pid });

    // A promise rejected and never handled is a crash of its service too.
    await fetch(`${crashyUrl(output())}/reject`);
    await until(/crashy crashed \(Error: crashy broke a promise\); restarting in 1\.0 s/);
    await until(/crashy +\| crashy listening on/, 3);
    expect(await info(crashyUrl(output()))).toMatchObject({ starts: 3 });
    expect(await info(url)).toEqual(front);

    expect(await stop(child)).toBe(0);
    expect(output()).toMatch(/kiln +\| stopped\n/);
  });

  it('runs each service as a process of its own with --isolate or KILN_ISOLATE=1', async () => {
    for (const [args, env] of [
      [['--isolate'], {}],
      [[], { KILN_ISOLATE: '1' }],
    ] as const) {
      const { child, url, output } = await up([...args], env);
      const front = await info(url);
      const crashy = await info(crashyUrl(output()));
      expect(front.pid).not.toBe(child.pid);
      expect(crashy.pid).not.toBe(child.pid);
      expect(crashy.pid).not.toBe(front.pid);
      expect(await stop(child)).toBe(0);
    }
  });
});
