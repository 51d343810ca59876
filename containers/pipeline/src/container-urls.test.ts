import { describe, expect, it } from 'vitest';
import { defaultContainerUrl, parseContainerUrls } from './container-urls.js';

describe('parseContainerUrls', () => {
  it('parses name=url pairs and trims slashes', () => {
    expect(parseContainerUrls(' import=http://127.0.0.1:9001/ , train=https://train:8080')).toEqual(
      {
        import: 'http://127.0.0.1:9001',
        train: 'https://train:8080',
      },
    );
  });

  it('gives an empty map for nothing', () => {
    expect(parseContainerUrls(undefined)).toEqual({});
    expect(parseContainerUrls('')).toEqual({});
  });

  it('refuses bad names, bad URLs and duplicates', () => {
    expect(() => parseContainerUrls('=http://x')).toThrow(/name/);
    expect(() => parseContainerUrls('a b=http://x')).toThrow(/name/);
    expect(() => parseContainerUrls('a=ftp://x')).toThrow(/URL/);
    expect(() => parseContainerUrls('a=http://x,a=http://y')).toThrow(/twice/);
  });

  it('defaults to the compose service name', () => {
    expect(defaultContainerUrl('split')).toBe('http://split:8080');
  });
});
