import { describe, expect, it } from 'vitest';
import { StepGroup } from './step-group.js';

/** A promise that settles only when the group's signal aborts, as a running step does. */
const untilAborted = (signal: AbortSignal, settled: string[], name: string): Promise<void> =>
  new Promise((_resolve, reject) =>
    signal.addEventListener('abort', () => {
      settled.push(name);
      reject(signal.reason as Error);
    }),
  );

describe('StepGroup', () => {
  it('aborts the steps still running on close and waits for every one', async () => {
    const parent = new AbortController();
    const group = new StepGroup(parent.signal);
    const settled: string[] = [];
    const done = group.track(Promise.resolve('done'));
    void group.track(untilAborted(group.signal, settled, 'a'));
    void group.track(untilAborted(group.signal, settled, 'b'));
    await done;
    expect(group.running).toBe(2);
    await group.close('the run has ended');
    expect(settled).toEqual(['a', 'b']);
    expect(group.running).toBe(0);
    expect(parent.signal.aborted).toBe(false);
    expect((group.signal.reason as DOMException).name).toBe('AbortError');
  });

  it('follows its parent, and closes at once when nothing runs', async () => {
    const parent = new AbortController();
    const group = new StepGroup(parent.signal);
    await group.close('nothing to stop');
    expect(group.signal.aborted).toBe(false);
    parent.abort();
    expect(group.signal.aborted).toBe(true);
  });
});
