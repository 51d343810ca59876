import { describe, expect, it } from 'vitest';
import { parseContainerUrls } from './container-urls.js';

describe('parseContainerUrls', () => {
  it('parses name=url pairs and drops trailing slashes', () => {
    expect(
      parseContainerUrls(' train=http://train:8080/, benchmark=http://127.0.0.1:9/ ,'),
    ).toEqual([
      { name: 'train', url: 'http://train:8080' },
      { name: 'benchmark', url: 'http://127.0.0.1:9' },
    ]);
  });

  it('accepts an empty list', () => {
    expect(parseContainerUrls('')).toEqual([]);
  });

  it.each([
    'train',
    '=http://x',
    '../x=http://x',
    'a=ftp://x',
    'a=notaurl',
    'a=http://x,a=http://y',
  ])('refuses %s', (text) => {
    expect(() => parseContainerUrls(text)).toThrow(TypeError);
  });
});
