import { Topology } from '@kiln/topology';
import { describe, expect, it } from 'vitest';
import { parseWatchList } from './watch-list.js';

const topology = new Topology({
  services: [
    { name: 'fashion-mnist', address: 'http://127.0.0.1:9101' },
    { name: 'fashion-mnist-linear' },
  ],
});

describe('parseWatchList', () => {
  it('names each pipeline by its service; the model is named after it unless model= says', () => {
    expect(parseWatchList(' fashion-mnist , shoes=fashion-mnist-linear', topology)).toEqual([
      { model: 'fashion-mnist', url: 'http://fashion-mnist:8080' },
      { model: 'shoes', url: 'http://fashion-mnist-linear:8080' },
    ]);
    // The compose URL names the same service (the form earlier versions took).
    expect(parseWatchList('fashion-mnist=http://fashion-mnist:8080/', topology)).toEqual([
      { model: 'fashion-mnist', url: 'http://fashion-mnist:8080' },
    ]);
    expect(parseWatchList(undefined, topology)).toEqual([]);
    expect(parseWatchList('', topology)).toEqual([]);
  });

  it('refuses a pipeline the topology does not have, a bad name and a model named twice', () => {
    expect(() => parseWatchList('fashion-minst', topology)).toThrow(
      expect.objectContaining({ code: 'INVALID_TOPOLOGY' }),
    );
    expect(() => parseWatchList('fashion-mnist', Topology.EMPTY)).toThrow(/not a service/);
    for (const bad of ['http://127.0.0.1:9101', 'a b=fashion-mnist', '=fashion-mnist']) {
      expect(() => parseWatchList(bad, topology)).toThrow(
        expect.objectContaining({ code: 'INVALID_NAME' }),
      );
    }
    expect(() => parseWatchList('a=fashion-mnist,a=fashion-mnist-linear', topology)).toThrow(
      /the model 'a' twice/,
    );
  });
});
