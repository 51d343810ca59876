import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MirrorFileWriter } from './mirror-file-writer.js';

let dir: string;
let writer: MirrorFileWriter;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kiln-mirror-'));
  writer = new MirrorFileWriter();
});
afterEach(async () => {
  vi.useRealTimers();
  writer.flush();
  await rm(dir, { recursive: true, force: true });
});

describe('MirrorFileWriter', () => {
  it('writes the latest content of each file once the changes have gathered', async () => {
    vi.useFakeTimers();
    const path = join(dir, 'a', 'status.json');
    writer.writeJson('a', path, { status: 'queued' });
    writer.writeJson('a', path, { status: 'in-progress' });
    expect(existsSync(path)).toBe(false);
    writer.writeJson('a', path, { status: 'completed' });
    vi.advanceTimersByTime(50);
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual({ status: 'completed' });
    expect(await readdir(join(dir, 'a'))).toEqual(['status.json']);
  });

  it('makes the folder of an artifact that has none yet', async () => {
    const path = join(dir, 'new', 'deep', 'parameters.json');
    writer.write('new', path, '{}\n');
    writer.flush();
    expect(await readFile(path, 'utf8')).toBe('{}\n');
  });

  it('drops what is pending for an artifact that is going away', () => {
    const path = join(dir, 'gone', 'status.json');
    writer.write('gone', path, '{}');
    writer.settled('gone');
    writer.flush();
    expect(existsSync(join(dir, 'gone'))).toBe(false);
  });

  it('writes every artifact of a large backlog', async () => {
    vi.useFakeTimers();
    for (let i = 0; i < 300; i += 1)
      writer.write(`a${i}`, join(dir, `a${i}`, 'status.json'), `${i}`);
    await vi.runAllTimersAsync();
    const contents = await Promise.all(
      Array.from({ length: 300 }, (_, i) => readFile(join(dir, `a${i}`, 'status.json'), 'utf8')),
    );
    expect(contents).toEqual(Array.from({ length: 300 }, (_, i) => `${i}`));
  });

  it('leaves no temporary file when a write fails', async () => {
    // A path whose parent is a file cannot be written; the index stays the truth.
    writer.write('x', join(dir, 'x'), 'file');
    writer.flush();
    writer.write('x', join(dir, 'x', 'status.json'), '{}');
    expect(() => writer.flush()).not.toThrow();
    expect(await readdir(dir)).toEqual(['x']);
  });
});
