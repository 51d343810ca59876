import { describe, expect, it } from 'vitest';
import { locateArtifact } from './artifact-links.js';

const CONTAINERS = new Set(['train', 'split']);

describe('locateArtifact', () => {
  it('maps links through the gateway and compose URLs of known containers', () => {
    expect(locateArtifact('http://train:8080/artifacts/model-1/', CONTAINERS)).toEqual({
      container: 'train',
      artifact: 'model-1',
    });
    expect(
      locateArtifact('https://kiln.example/containers/split/artifacts/s%201', CONTAINERS),
    ).toEqual({ container: 'split', artifact: 's 1' });
    expect(locateArtifact('/containers/train/runs/r/?x=1', CONTAINERS)).toEqual({
      container: 'train',
      artifact: 'r',
    });
  });

  it('ignores unknown containers and other paths', () => {
    expect(locateArtifact('http://elsewhere:8080/artifacts/x/', CONTAINERS)).toBeUndefined();
    expect(locateArtifact('http://host/containers/ghost/artifacts/x/', CONTAINERS)).toBeUndefined();
    expect(locateArtifact('http://train:8080/health', CONTAINERS)).toBeUndefined();
    expect(locateArtifact('http://train:9000/artifacts/x/', CONTAINERS)).toBeUndefined();
  });
});
