import type { TaskDescription } from '@kiln/api';
import { describe, expect, it } from 'vitest';
import { definePipeline, resolveContainers } from './define-pipeline.js';

const task: TaskDescription = {
  name: 'org.example.task',
  description: 'd',
  output: 'o',
  constraints: 'c',
  archives: 'a',
  evaluation_criterias: 'e',
  cost_function: 'f',
  evaluation_dataset: 'v',
};
const base = { name: 'p', description: 'a pipeline', task, containers: {}, run: async () => ({}) };

describe('definePipeline', () => {
  it('makes a pipeline tool whose runs take a cache parameter', () => {
    const tool = definePipeline({
      ...base,
      parameters: { type: 'object', properties: { epochs: { type: 'integer', default: 1 } } },
    });
    expect(tool).toMatchObject({
      kind: 'pipeline',
      collection: 'runs',
      artifactType: 'run',
      version: '1.0.0',
    });
    expect(tool.parameters).toMatchObject({
      properties: { epochs: { default: 1 }, cache: { type: 'boolean', default: true } },
    });
    expect(typeof tool.routes).toBe('function');
  });

  it('keeps a cache parameter the pipeline declares itself', () => {
    const cache = { type: 'boolean', default: false };
    const tool = definePipeline({ ...base, parameters: { type: 'object', properties: { cache } } });
    expect(tool.parameters).toMatchObject({ properties: { cache } });
  });

  it('refuses a task without its eight fields or without a reverse-domain name', () => {
    const { cost_function: _, ...partial } = task;
    expect(() => definePipeline({ ...base, task: partial as TaskDescription })).toThrow(
      /cost_function/,
    );
    expect(() => definePipeline({ ...base, task: { ...task, name: 'fashion' } })).toThrow(
      /reverse-domain/,
    );
  });

  it('refuses bad containers and options', () => {
    expect(() =>
      definePipeline({ ...base, containers: { a: { category: 'train' as 'model' } } }),
    ).toThrow(/category/);
    expect(() => definePipeline({ ...base, containers: { 'a b': { category: 'data' } } })).toThrow(
      /name/,
    );
    expect(() => definePipeline({ ...base, options: { pollWaitSeconds: 0 } })).toThrow(
      /pollWaitSeconds/,
    );
  });
});

describe('resolveContainers', () => {
  it("takes the spec's URL, else the compose service of the same name", () => {
    const resolved = resolveContainers({
      containers: {
        a: { category: 'data' },
        b: { category: 'model', url: 'http://b.local:1/' },
      },
    });
    expect(resolved.map((c) => [c.name, c.url, c.category])).toEqual([
      ['a', 'http://a:8080', 'data'],
      ['b', 'http://b.local:1', 'model'],
    ]);
  });

  it('refuses a URL that is not http(s)', () => {
    expect(() =>
      resolveContainers({ containers: { a: { category: 'data', url: 'file:///x' } } }),
    ).toThrow(/URL/);
  });
});
