import { describe, expect, it } from 'vitest';
import { refChanged, type ArtifactRef } from './artifact-ref.js';

describe('refChanged', () => {
  const train: ArtifactRef = { container: 'train', collection: 'artifacts', artifact: 'm1' };

  it('sees a copy naming the same artifact as no change', () => {
    expect(refChanged({ ...train }, train)).toBe(false);
  });

  it('sees another container, collection or name, and a first value, as a change', () => {
    expect(refChanged({ ...train, container: 'import' }, train)).toBe(true);
    expect(refChanged({ ...train, collection: 'runs' }, train)).toBe(true);
    expect(refChanged({ ...train, artifact: 'm2' }, train)).toBe(true);
    expect(refChanged(train, undefined)).toBe(true);
  });
});
