import { describe, expect, it } from 'vitest';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import {
  UrlRewriteStream,
  replaceUrls,
  rewriteLinkHeader,
  rewriteReference,
} from './url-rewriter.js';

const rules = [
  { from: 'http://train:8080', to: 'https://gw/containers/train' },
  { from: 'http://split:8080', to: 'https://gw/containers/split' },
];

describe('replaceUrls', () => {
  it('replaces prefixes only at URL boundaries', () => {
    const input =
      '{"a":"http://train:8080/artifacts/x/","b":"http://train:80801/","c":"http://train:8080","d":"http://train:8080.evil"}';
    expect(replaceUrls(input, rules, true).done).toBe(
      '{"a":"https://gw/containers/train/artifacts/x/","b":"http://train:80801/","c":"https://gw/containers/train","d":"http://train:8080.evil"}',
    );
  });

  it('holds back a possible match at the end until more text comes', () => {
    const { done, rest } = replaceUrls('x http://train:80', rules, false);
    expect(done + rest).toBe('x http://train:80');
    expect(rest.length).toBeGreaterThan(0);
  });
});

describe('UrlRewriteStream', () => {
  it('rewrites matches split across every possible chunk boundary, keeping UTF-8 intact', async () => {
    const input = Buffer.from('{"ü":"http://split:8080/a","ß":["http://train:8080/b"]}');
    const expected = '{"ü":"https://gw/containers/split/a","ß":["https://gw/containers/train/b"]}';
    for (let cut = 1; cut < input.length; cut++) {
      const chunks = [input.subarray(0, cut), input.subarray(cut)];
      expect(await text(Readable.from(chunks).pipe(new UrlRewriteStream(rules)))).toBe(expected);
    }
  });
});

describe('rewriteReference', () => {
  it('prefixes path-absolute references and maps container URLs', () => {
    expect(rewriteReference('/artifacts/a/', '/containers/train', rules)).toBe(
      '/containers/train/artifacts/a/',
    );
    expect(rewriteReference('//elsewhere/x', '/containers/train', rules)).toBe('//elsewhere/x');
    expect(rewriteReference('http://split:8080/artifacts/b/', '/containers/train', rules)).toBe(
      'https://gw/containers/split/artifacts/b/',
    );
    expect(rewriteReference('artifacts/a/', '', rules)).toBe('artifacts/a/');
  });

  it('rewrites every target of a Link header', () => {
    expect(
      rewriteLinkHeader('</a>; rel="x", <http://train:8080/b>; rel="y"', '/containers/c', rules),
    ).toBe('</containers/c/a>; rel="x", <https://gw/containers/train/b>; rel="y"');
  });
});
