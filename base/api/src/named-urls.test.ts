import { describe, expect, it } from 'vitest';
import { parseNamedUrls } from './named-urls.js';

describe('parseNamedUrls', () => {
  it('parses pairs, skips blanks and drops trailing slashes', () => {
    expect(parseNamedUrls(' train=http://train:8080/, ,benchmark=https://10.0.0.7:9 ')).toEqual([
      { name: 'train', url: 'http://train:8080' },
      { name: 'benchmark', url: 'https://10.0.0.7:9' },
    ]);
    expect(parseNamedUrls(undefined)).toEqual([]);
  });

  it.each([
    ['train', /name=url/],
    ['=http://x', /name/],
    ['../x=http://x', /name/],
    ['a=ftp://x', /URL/],
    ['a=not a url', /URL/],
    ['a=http://x,a=http://y', /twice/],
  ])('refuses %s', (text, message) => {
    expect(() => parseNamedUrls(text)).toThrow(message);
  });
});
