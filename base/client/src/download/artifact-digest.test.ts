import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { artifactDigest } from './artifact-digest.js';

const sha = (text: string): string => createHash('sha256').update(text).digest('hex');

describe('artifactDigest', () => {
  it('hashes "path NUL sha LF" lines sorted by byte order', () => {
    const files = [
      { path: 'b.txt', sha256: sha('b') },
      { path: 'B.txt', sha256: sha('B') },
      { path: 'a/z.txt', sha256: sha('z') },
    ];
    const expected = sha(`B.txt\0${sha('B')}\na/z.txt\0${sha('z')}\nb.txt\0${sha('b')}\n`);
    expect(artifactDigest(files)).toBe(expected);
  });

  it('hashes nothing for an artifact without files', () => {
    expect(artifactDigest([])).toBe(sha(''));
  });
});
