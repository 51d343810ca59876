import { isValidName } from '@kiln/api';
import { describe, expect, it } from 'vitest';
import { stepArtifactName } from './step-name.js';

describe('stepArtifactName', () => {
  it('joins the run and the step', () => {
    expect(stepArtifactName('run-1', 'train')).toBe('run-1-train');
  });

  it('keeps long names valid, unique and stable', () => {
    const run = 'r'.repeat(120);
    const a = stepArtifactName(run, 'benchmark');
    const b = stepArtifactName(run, 'benchmark-2');
    expect(a).toHaveLength(128);
    expect(isValidName(a)).toBe(true);
    expect(a).not.toBe(b);
    expect(stepArtifactName(run, 'benchmark')).toBe(a);
  });

  it('refuses invalid parts', () => {
    expect(() => stepArtifactName('run 1', 'train')).toThrow(TypeError);
    expect(() => stepArtifactName('run', '../x')).toThrow(TypeError);
  });
});
