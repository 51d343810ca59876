import { describe, expect, it } from 'vitest';
import {
  DEFAULT_MULE_IDLE_MS,
  parseGpuList,
  parseMilliseconds,
  parseWorkerCount,
  resolveWorkerOptions,
} from './worker-options.js';

describe('worker options', () => {
  it('defaults to one worker, or one per GPU', () => {
    expect(resolveWorkerOptions({})).toEqual({
      workers: 1,
      gpus: [],
      muleIdleMs: DEFAULT_MULE_IDLE_MS,
    });
    expect(resolveWorkerOptions({ gpus: [2, 0] })).toMatchObject({ workers: 2, gpus: [2, 0] });
    expect(resolveWorkerOptions({ gpus: [0, 1, 2], workers: 1 }).workers).toBe(1);
  });

  it('parses flags and variables, naming them when refused', () => {
    expect(parseWorkerCount(' 8 ', '--workers')).toBe(8);
    expect(parseGpuList('0, 3,1', 'KILN_GPUS')).toEqual([0, 3, 1]);
    expect(parseMilliseconds('0', '--mule-idle-ms')).toBe(0);
    for (const [parse, text] of [
      [parseWorkerCount, '0'],
      [parseWorkerCount, '257'],
      [parseWorkerCount, '2e1'],
      [parseGpuList, ''],
      [parseGpuList, '1,,2'],
      [parseGpuList, '0,0'],
      [parseMilliseconds, '1.5'],
    ] as const) {
      expect(() => parse(text, 'SOURCE')).toThrow(
        expect.objectContaining({
          code: 'INVALID_OPTION',
          message: expect.stringMatching(/^SOURCE /),
        }),
      );
    }
  });

  it('refuses more workers than GPUs, and bad values given in code', () => {
    expect(() => resolveWorkerOptions({ workers: 3, gpus: [0, 1] })).toThrow(
      '3 workers but 2 GPUs (0,1): each worker gets its own GPU, so at most 2 workers',
    );
    expect(() => resolveWorkerOptions({ workers: 0 })).toThrow(/workers must be an integer/);
    expect(() => resolveWorkerOptions({ gpus: [-1] })).toThrow(/gpus must list GPU indices/);
    expect(() => resolveWorkerOptions({ muleIdleMs: Number.NaN })).toThrow(/muleIdleMs/);
  });
});
