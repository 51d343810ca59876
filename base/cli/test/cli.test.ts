import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
/* eslint-disable import-x/no-relative-packages -- the client's test servers are shared test support, not package API */
import {
  Fixture,
  freePort,
  startFixture,
  tempDir,
  type FixtureServer,
} from '../../client/test/support/servers.js';
/* eslint-enable import-x/no-relative-packages */
import { lastErrorLine, oneErrorLine, runKiln } from './support/run-kiln.js';

let echo: FixtureServer;
let pipeline: FixtureServer;
let dir: string;

beforeAll(async () => {
  echo = await startFixture(Fixture.Echo);
  pipeline = await startFixture(Fixture.Pipeline, {
    services: [{ name: 'echo', address: echo.url }],
  });
  dir = await tempDir('cli');
});
afterAll(async () => {
  await echo?.close();
  await pipeline?.close();
  await rm(dir, { recursive: true, force: true });
});

const COMMANDS = [
  'ls',
  'describe',
  'create',
  'status',
  'wait',
  'logs',
  'download',
  'cancel',
  'rm',
  'run',
  'runs',
  'variants',
  'models',
  'predict',
  'promote',
  'register',
  'serve',
  'up',
  'new',
];

describe('kiln --help', () => {
  it('lists every subcommand, and each answers --help', async () => {
    const top = await runKiln(['--help']);
    expect(top.code).toBe(0);
    for (const command of COMMANDS) expect(top.stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
    // Each subcommand's help is checked in-process (src/commands/help.test.ts); one end to end here.
    const help = await runKiln(['create', '--help']);
    expect(help).toMatchObject({ code: 0, stderr: '' });
    expect(help.stdout).toContain('Usage: kiln create [options] <container> [name]');
    expect(help.stdout).toContain('--params-file <file>');
  });
});

describe('bad input: one line on stderr, exit 2', () => {
  it.each([
    [['nope'], /unknown command 'nope'/],
    [['create'], /missing required argument 'container'/],
    [['ls', '--bogus'], /unknown option '--bogus'/],
    [['create', 'x', '--param', 'novalue'], /expected key=value/],
    [['ls', 'x', '--status', 'done'], /must be one of queued/],
    [['wait', 'x', 'y', '--timeout', '-1'], /positive number of seconds/],
    [['--url', 'ftp://x', 'ls'], /must be an http\(s\) URL/],
  ])('kiln %j', async (args, message) => {
    const run = await runKiln(args);
    expect(run.code).toBe(2);
    expect(oneErrorLine(run)).toMatch(message);
  });

  it('checks files, parameters files and names before sending anything', async () => {
    await writeFile(join(dir, 'bad.json'), '{ not json');
    const cases: [string[], RegExp][] = [
      [
        ['create', echo.url, '--params-file', join(dir, 'missing.json')],
        /cannot read .*missing\.json \(ENOENT\)/,
      ],
      [['create', echo.url, '--params-file', join(dir, 'bad.json')], /is not valid JSON/],
      [['create', echo.url, '--file', 'bogus=x'], /this container takes input files input/],
      [
        ['create', echo.url, '--file', `input=${join(dir, 'missing.bin')}`],
        /input file 'input': cannot read .*missing\.bin \(ENOENT\)/,
      ],
      [['status', echo.url, '../x'], /invalid artifact name/],
      [['create', echo.url, '--timeout', '5'], /--timeout needs --wait/],
      [['run', echo.url], /is a tool, not a pipeline/],
    ];
    for (const [args, message] of cases) {
      const run = await runKiln(args);
      expect(run.code, args.join(' ')).toBe(2);
      expect(oneErrorLine(run)).toMatch(message);
    }
  });
});

describe('failures: one line on stderr, exit 1', () => {
  it('reports server problems, failed builds and unreachable servers', async () => {
    const missing = await runKiln(['status', echo.url, 'no-such']);
    expect([missing.code, oneErrorLine(missing)]).toEqual([
      1,
      "kiln: no artifact named 'no-such' (404)",
    ]);
    const invalid = await runKiln(['create', echo.url, '--param', 'steps=-1']);
    expect(invalid.code).toBe(1);
    expect(oneErrorLine(invalid)).toMatch(/\/steps .*\(422\)$/);
    const failed = await runKiln([
      'create',
      echo.url,
      'cli-fails',
      '--param',
      'fail=true',
      '--wait',
    ]);
    expect(failed).toMatchObject({ code: 1, stdout: '' });
    expect(lastErrorLine(failed)).toBe('kiln: echo/cli-fails failed: asked to fail: hello');
    const port = await freePort();
    const unreachable = await runKiln(['ls'], { env: { KILN_URL: `http://127.0.0.1:${port}` } });
    expect(unreachable.code).toBe(1);
    expect(oneErrorLine(unreachable)).toMatch(
      new RegExp(`cannot reach http://127.0.0.1:${port} \\(ECONNREFUSED\\)`),
    );
  });
});

describe('everyday use against a container URL', () => {
  it('describes a container', async () => {
    const plain = await runKiln(['describe', echo.url]);
    expect(plain.code).toBe(0);
    expect(plain.stdout).toMatch(/^echo 1\.0\.0 \(tool\): Writes its message into data files/);
    expect(plain.stdout).toMatch(/steps\s+integer >=0 <=100\s+3\s+metric points and log lines/);
    const json = await runKiln(['describe', echo.url, '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ kind: 'tool', name: 'echo' });
  });

  it('creates with typed parameters, a parameters file and an input file, then inspects it', async () => {
    await writeFile(join(dir, 'params.json'), JSON.stringify({ steps: 1, message: 'from file' }));
    await writeFile(join(dir, 'input.txt'), 'uploaded\n');
    const created = await runKiln([
      'create',
      echo.url,
      'cli-a',
      '--params-file',
      join(dir, 'params.json'),
      '--param',
      'message=123',
      '--param',
      'files=2',
      '--param',
      'options.upper=true',
      '--file',
      `input=${join(dir, 'input.txt')}`,
    ]);
    expect(created).toMatchObject({ code: 0, stdout: 'cli-a\n' });
    expect(created.stderr).toMatch(/^echo: upload: \d+ B in [\d.]+s \(.*\/s\)\n$/);
    const waited = await runKiln(['wait', echo.url, 'cli-a']);
    expect(waited).toMatchObject({ code: 0, stdout: 'echo/cli-a: completed\n' });
    const params = JSON.parse((await runKiln(['status', echo.url, 'cli-a', '--json'])).stdout);
    expect(params).toMatchObject({ name: 'cli-a', status: 'completed' });
    const listed = await runKiln(['ls', echo.url]);
    expect(listed.stdout).toMatch(/^NAME\s+STATE\s+CREATED\n/);
    expect(listed.stdout).toMatch(/cli-a\s+completed/);
    const failedOnly = JSON.parse(
      (await runKiln(['ls', echo.url, '--status', 'failed', '--json'])).stdout,
    ) as { name: string }[];
    expect(failedOnly.map((s) => s.name)).not.toContain('cli-a');
    const logs = await runKiln(['logs', echo.url, 'cli-a']);
    expect(logs.stdout).toBe('step 0: 123\ndone\n');
    const followed = await runKiln(['logs', '-f', echo.url, 'cli-a']);
    expect(followed.stdout).toBe(logs.stdout);
    const download = await runKiln(['download', echo.url, 'cli-a'], { cwd: dir });
    expect(download.code).toBe(0);
    expect(download.stdout).toMatch(/cli-a \(3 files, .* verified\)\n$/);
    expect((await readdir(join(dir, 'cli-a'))).sort()).toEqual([
      'input.bin',
      'message.txt',
      'parts',
    ]);
    expect(await readFile(join(dir, 'cli-a', 'message.txt'), 'utf8')).toBe('123\n');
  });

  it('waits with plain progress lines and prints JSON for scripts', async () => {
    const plain = await runKiln(['create', echo.url, 'cli-b', '--param', 'steps=2', '--wait']);
    // The result on stdout, the progress as plain lines on stderr.
    expect(plain).toMatchObject({ code: 0, stdout: 'cli-b\n' });
    const lines = plain.stderr.trim().split('\n');
    expect(lines[0]).toBe('echo/cli-b: created (queued)');
    expect(lines.at(-1)).toBe('echo/cli-b: completed');
    const json = await runKiln(['create', echo.url, 'cli-c', '--wait', '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ name: 'cli-c', status: 'completed' });
    const single = await runKiln(['download', echo.url, 'cli-c', join(dir, 'c.txt'), '--json']);
    expect(JSON.parse(single.stdout)).toMatchObject({
      kind: 'file',
      path: join(dir, 'c.txt'),
      files: [{ path: 'message.txt', size: 6 }],
    });
  });

  it('cancels and removes', async () => {
    expect((await runKiln(['create', echo.url, 'cli-block', '--param', 'block=true'])).code).toBe(
      0,
    );
    const cancelled = await runKiln(['cancel', echo.url, 'cli-block', '--wait']);
    // Still queued while its mule starts (mules start on demand), or already building.
    expect(cancelled).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(
        /^echo\/cli-block: cancelled( \(cancelled before it started\))?\n$/,
      ),
    });
    const waited = await runKiln(['wait', echo.url, 'cli-block']);
    expect(waited).toMatchObject({ code: 1, stdout: '' });
    expect(lastErrorLine(waited)).toBe('kiln: echo/cli-block cancelled');
    expect(await runKiln(['rm', echo.url, 'cli-block', 'cli-b'])).toMatchObject({
      code: 0,
      stdout: 'deleted echo/cli-block\ndeleted echo/cli-b\n',
    });
    expect((await runKiln(['status', echo.url, 'cli-b'])).code).toBe(1);
  });
});

describe('pipelines', () => {
  it('runs with one line per step, lists runs and shows steps', async () => {
    const run = await runKiln([
      'run',
      pipeline.url,
      'cli-run',
      '--param',
      'message=piped',
      '--wait',
    ]);
    expect(run).toMatchObject({ code: 0, stdout: 'cli-run\n' });
    expect(run.stderr).toContain('echo-pipeline/cli-run: started (queued)');
    expect(run.stderr).toMatch(/^echo-pipeline\/cli-run step echo \(echo\): completed$/m);
    expect(run.stderr.trim().split('\n').at(-1)).toBe('echo-pipeline/cli-run: completed');
    const runs = await runKiln(['runs', pipeline.url]);
    expect(runs.stdout).toMatch(/^RUN\s+STATE\s+CREATED\ncli-run\s+completed/);
    const steps = await runKiln(['runs', pipeline.url, 'cli-run']);
    expect(steps.stdout).toMatch(/^STEP\s+ARTIFACT\s+STATE/);
    expect(steps.stdout).toMatch(/prepare\s+echo\/cli-run-prepare\s+completed\s/);
    const json = await runKiln(['run', pipeline.url, '--wait', '--json']);
    // The second run reuses the first one's `prepare`.
    expect(JSON.parse(json.stdout)).toMatchObject({
      run: { status: 'completed' },
      steps: [{ step: 'prepare', cached: true }, { step: 'echo' }],
    });
  });
});

describe('sweeps', () => {
  it('starts a sweep, says which variant is best and which failed, and compares them', async () => {
    const variants = JSON.stringify([
      { name: 'two', steps: 2 },
      { name: 'five', steps: 5 },
      { name: 'broken', fail: true },
    ]);
    const run = await runKiln([
      'run',
      pipeline.url,
      'cli-sweep',
      '--param',
      `variants=${variants}`,
      '--wait',
    ]);
    expect(run).toMatchObject({ code: 0, stdout: 'cli-sweep\n' });
    expect(run.stderr).toMatch(/^echo-pipeline\/cli-sweep step echo-five \(echo\): completed$/m);
    expect(run.stderr.trim().split('\n').at(-1)).toBe(
      'echo-pipeline/cli-sweep: best variant five (steps 5); failed: broken',
    );
    const table = await runKiln(['variants', pipeline.url, 'cli-sweep']);
    expect(table.code).toBe(0);
    expect(table.stdout.split('\n').slice(0, 6)).toEqual([
      'VARIANT  STATE      STEPS  PARAMETERS',
      'two      completed  2      steps=2 fail=false',
      'five     best       5      steps=5 fail=false',
      'broken   failed     -      fail=true steps=1',
      'best by steps (highest): five',
      expect.stringMatching(
        /^broken failed: step 'echo-broken' \(echo\/cli-sweep-echo-broken\) failed: asked to fail/,
      ),
    ]);
    const json = await runKiln(['variants', pipeline.url, 'cli-sweep', '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ best: 'five', failed: ['broken'] });
    // The run's steps, then its variants.
    const steps = await runKiln(['runs', pipeline.url, 'cli-sweep']);
    expect(steps.stdout).toMatch(/^echo-broken\s+echo\/cli-sweep-echo-broken\s+failed/m);
    expect(steps.stdout).toMatch(/\n\nVARIANT\s+STATE\s+STEPS\s+PARAMETERS\n/);
    const none = await runKiln(['variants', pipeline.url, 'cli-run']);
    expect(none).toMatchObject({ code: 0, stdout: 'run cli-run has no variants\n' });
  });
});

describe('on a terminal', () => {
  it('draws progress bars for waits and transfers', async () => {
    await mkdir(join(dir, 'tty'), { recursive: true });
    const command = `node ${JSON.stringify(join(process.cwd(), 'base/cli/dist/main.js'))} create ${echo.url} cli-tty --param steps=2 --wait`;
    const { execFile } = await import('node:child_process');
    const output = await new Promise<string>((resolve, reject) =>
      execFile(
        'script',
        ['-qec', command, '/dev/null'],
        { cwd: join(dir, 'tty'), timeout: 30_000 },
        (error, stdout) => (error ? reject(error) : resolve(stdout)),
      ),
    );
    expect(output).toMatch(/echo\/cli-tty \[[█░]+\] 100% \| completed/);
    expect(output).toMatch(/\ncli-tty\r?\n/);
  });
});
