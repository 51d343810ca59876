import { setImmediate as nextMacrotask } from 'node:timers/promises';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { IdleCollector } from './idle-collector.js';

describe('IdleCollector', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('collects once the delay has passed since the last touch', () => {
    vi.useFakeTimers();
    const collect = vi.fn();
    const idle = new IdleCollector(1000, collect);
    vi.advanceTimersByTime(600);
    idle.touch();
    vi.advanceTimersByTime(600);
    expect(collect).not.toHaveBeenCalled();
    vi.advanceTimersByTime(400);
    expect(collect).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(10_000);
    expect(collect).toHaveBeenCalledTimes(1);
    idle.stop();
  });

  it('collects again after new work', () => {
    vi.useFakeTimers();
    const collect = vi.fn();
    const idle = new IdleCollector(1000, collect);
    vi.advanceTimersByTime(1000);
    idle.touch();
    vi.advanceTimersByTime(1000);
    expect(collect).toHaveBeenCalledTimes(2);
    idle.stop();
  });

  it('holds off while busy, until the next touch', () => {
    vi.useFakeTimers();
    const collect = vi.fn();
    const idle = new IdleCollector(1000, collect);
    idle.busy();
    vi.advanceTimersByTime(5000);
    expect(collect).not.toHaveBeenCalled();
    idle.touch();
    vi.advanceTimersByTime(1000);
    expect(collect).toHaveBeenCalledTimes(1);
    idle.stop();
  });

  it('does nothing once stopped', () => {
    vi.useFakeTimers();
    const collect = vi.fn();
    new IdleCollector(1000, collect).stop();
    vi.advanceTimersByTime(5000);
    expect(collect).not.toHaveBeenCalled();
  });

  it('runs a real full collection by default', async () => {
    let ref: WeakRef<object> | undefined;
    (() => {
      ref = new WeakRef({ payload: new Array(1000).fill('x') });
    })();
    // A WeakRef keeps its target alive until the current job ends.
    await nextMacrotask();
    const idle = new IdleCollector(0);
    await new Promise((done) => setTimeout(done, 0));
    await nextMacrotask();
    expect(ref?.deref()).toBeUndefined();
    idle.stop();
  });
});
