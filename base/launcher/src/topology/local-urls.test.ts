import { describe, expect, it } from 'vitest';
import { rewriteServiceUrls } from './local-urls.js';

describe('rewriteServiceUrls', () => {
  const urls = new Map([
    ['train', 'http://127.0.0.1:9001'],
    ['train-gpu', 'http://127.0.0.1:9002'],
  ]);

  it('rewrites known services in lists and URLs, leaving other hosts alone', () => {
    expect(rewriteServiceUrls('train=http://train:8080,gpu=http://train-gpu:8080/x', urls)).toBe(
      'train=http://127.0.0.1:9001,gpu=http://127.0.0.1:9002/x',
    );
    expect(rewriteServiceUrls('http://train/artifacts', urls)).toBe(
      'http://127.0.0.1:9001/artifacts',
    );
    expect(
      rewriteServiceUrls('http://train.example:8080 http://trainer:8080 train:8080', urls),
    ).toBe('http://train.example:8080 http://trainer:8080 train:8080');
  });
});
