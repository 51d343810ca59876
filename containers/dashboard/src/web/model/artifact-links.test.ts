import { describe, expect, it } from 'vitest';
import { locateArtifact } from './artifact-links.js';

const CONTAINERS = new Map([
  ['http://train:8080', 'train'],
  ['http://127.0.0.1:4012/', 'split'],
]);

describe('locateArtifact', () => {
  it('maps artifact URLs of known containers', () => {
    expect(locateArtifact('http://train:8080/artifacts/model-1/', CONTAINERS)).toEqual({
      container: 'train',
      artifact: 'model-1',
    });
    expect(locateArtifact('http://127.0.0.1:4012/artifacts/s%201', CONTAINERS)).toEqual({
      container: 'split',
      artifact: 's 1',
    });
  });

  it('ignores URLs of other hosts and other paths', () => {
    expect(locateArtifact('http://elsewhere:8080/artifacts/x/', CONTAINERS)).toBeUndefined();
    expect(locateArtifact('http://train:8080/health', CONTAINERS)).toBeUndefined();
  });
});
