import { describe, expect, it } from 'vitest';
import { href, parseRoute } from './route.js';

describe('parseRoute', () => {
  it.each([
    ['', { view: 'home' }],
    ['#/', { view: 'home' }],
    ['#/pipelines/fashion-mnist', { view: 'pipeline', pipeline: 'fashion-mnist' }],
    [
      '#/pipelines/p/runs/new',
      { view: 'create', container: 'p', collection: 'runs', pipeline: 'p' },
    ],
    ['#/pipelines/p/runs/run-1', { view: 'run', pipeline: 'p', run: 'run-1' }],
    [
      '#/containers/train/new',
      { view: 'create', container: 'train', collection: 'artifacts', pipeline: undefined },
    ],
    [
      '#/containers/train/new?pipeline=p',
      { view: 'create', container: 'train', collection: 'artifacts', pipeline: 'p' },
    ],
    [
      '#/containers/train/artifacts/m%2E1',
      { view: 'artifact', container: 'train', artifact: 'm.1' },
    ],
  ])('%s', (hash, route) => {
    expect(parseRoute(hash)).toEqual(route);
  });

  it.each([
    '#/nope',
    '#/containers/train',
    '#/pipelines/p/runs/r/extra/x',
    '#/containers/%E0%A4%A/new',
  ])('does not find %s', (hash) => {
    expect(parseRoute(hash).view).toBe('not-found');
  });

  it('round-trips the links it makes', () => {
    expect(parseRoute(href.artifact('train', 'a b'))).toEqual({
      view: 'artifact',
      container: 'train',
      artifact: 'a b',
    });
    expect(parseRoute(href.run('p', 'r'))).toEqual({ view: 'run', pipeline: 'p', run: 'r' });
    expect(parseRoute(href.create('split', 'p'))).toMatchObject({
      container: 'split',
      pipeline: 'p',
    });
    expect(parseRoute(href.startRun('p'))).toMatchObject({ view: 'create', collection: 'runs' });
    expect(parseRoute(href.pipeline('p'))).toEqual({ view: 'pipeline', pipeline: 'p' });
    expect(parseRoute(href.home())).toEqual({ view: 'home' });
    expect(parseRoute(href.serving())).toEqual({
      view: 'serving',
      model: undefined,
      container: undefined,
    });
    expect(parseRoute(href.serving('fashion mnist'))).toEqual({
      view: 'serving',
      model: 'fashion mnist',
      container: undefined,
    });
    expect(parseRoute(href.serving('fashion', 'models-b'))).toEqual({
      view: 'serving',
      model: 'fashion',
      container: 'models-b',
    });
    expect(parseRoute('#/serving/a/b').view).toBe('not-found');
  });
});
