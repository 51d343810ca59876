import { describe, expect, it } from 'vitest';
import { startOrder } from './start-order.js';

const service = (name: string, ...deps: string[]) => ({
  name,
  dependsOn: deps.map((dep) => ({ name: dep })),
});

describe('startOrder', () => {
  it('puts dependencies first and keeps the file order otherwise', () => {
    const order = startOrder([
      service('gateway', 'dashboard'),
      service('dashboard', 'pipe'),
      service('a'),
      service('pipe', 'a', 'b'),
      service('b'),
    ]);
    expect(order.map((s) => s.name)).toEqual(['a', 'b', 'pipe', 'dashboard', 'gateway']);
  });

  it('names the services of a cycle', () => {
    expect(() => startOrder([service('a', 'b'), service('b', 'c'), service('c', 'b')])).toThrow(
      'dependency cycle: b → c → b',
    );
  });
});
