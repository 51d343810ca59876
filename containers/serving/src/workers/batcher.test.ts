import { describe, expect, it } from 'vitest';
import { Batcher } from './batcher.js';

/** A model stand-in that records each batch and answers when told to. */
function recordingRun() {
  const batches: number[][] = [];
  const pending: (() => void)[] = [];
  const run = (input: Float32Array, count: number): Promise<Float32Array> => {
    batches.push(Array.from(input));
    return new Promise((resolve) =>
      pending.push(() => resolve(Float32Array.from(input, (v) => v * 10).subarray(0, count * 2))),
    );
  };
  return { batches, pending, run };
}

const rows = (...values: number[]) => Float32Array.from(values.flatMap((v) => [v, v]));

/** Lets the event loop finish its turn (a batch of one turn's requests leaves then). */
const endOfTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('Batcher', () => {
  it("sends one turn's requests together, and batches those that arrive while a batch runs", async () => {
    const { batches, pending, run } = recordingRun();
    const batcher = new Batcher({ maxBatchSize: 8, maxDelayMs: 0 }, 2, run);
    const zeroth = batcher.submit(rows(0), 1);
    const first = batcher.submit(rows(1), 1);
    expect(batches).toEqual([]);
    await endOfTurn();
    expect(batches).toEqual([[0, 0, 1, 1]]);
    const second = batcher.submit(rows(2), 1);
    const third = batcher.submit(rows(3, 4), 2);
    pending.shift()!();
    expect(Array.from(await zeroth)).toEqual([0, 0]);
    expect(Array.from(await first)).toEqual([10, 10]);
    await endOfTurn();
    expect(batches[1]).toEqual([2, 2, 3, 3, 4, 4]);
    pending.shift()!();
    expect(Array.from(await second)).toEqual([20, 20]);
    expect(Array.from(await third)).toEqual([30, 30, 40, 40]);
    await batcher.whenIdle();
  });

  it('never puts more than maxBatchSize rows in a batch, but runs a larger request alone', async () => {
    const { batches, pending, run } = recordingRun();
    const batcher = new Batcher({ maxBatchSize: 2, maxDelayMs: 0 }, 2, run);
    const all = [
      batcher.submit(rows(1), 1),
      batcher.submit(rows(2), 1),
      batcher.submit(rows(3), 1),
      batcher.submit(rows(4, 5, 6), 3),
    ];
    for (;;) {
      await endOfTurn();
      const next = pending.shift();
      if (!next) break;
      next();
    }
    await Promise.all(all);
    expect(batches.map((batch) => batch.length / 2)).toEqual([2, 1, 3]);
  });

  it('holds batches while paused and fails only the batch whose run failed', async () => {
    let calls = 0;
    const batcher = new Batcher({ maxBatchSize: 4, maxDelayMs: 0 }, 1, async (input) => {
      calls++;
      if (calls === 1) throw new Error('the process died');
      return input;
    });
    batcher.pause();
    const failing = batcher.submit(Float32Array.of(1), 1);
    await endOfTurn();
    expect(calls).toBe(0);
    batcher.resume();
    await expect(failing).rejects.toThrow('the process died');
    expect(Array.from(await batcher.submit(Float32Array.of(7), 1))).toEqual([7]);
  });

  it('waits up to maxDelayMs for a batch to fill while idle', async () => {
    const { batches, pending, run } = recordingRun();
    const batcher = new Batcher({ maxBatchSize: 2, maxDelayMs: 1000 }, 2, run);
    const a = batcher.submit(rows(1), 1);
    expect(batches).toEqual([]);
    const b = batcher.submit(rows(2), 1);
    expect(batches).toEqual([[1, 1, 2, 2]]);
    pending.shift()!();
    await Promise.all([a, b]);
  });

  it('rejects queued requests on demand and reports idle', async () => {
    const { pending, run } = recordingRun();
    const batcher = new Batcher({ maxBatchSize: 1, maxDelayMs: 0 }, 2, run);
    const running = batcher.submit(rows(1), 1);
    const queued = batcher.submit(rows(2), 1);
    expect(pending).toHaveLength(1);
    batcher.rejectQueued(new Error('stopped'));
    await expect(queued).rejects.toThrow('stopped');
    const idle = batcher.whenIdle();
    pending.shift()!();
    await running;
    await idle;
    expect(batcher.pending).toBe(0);
  });
});
