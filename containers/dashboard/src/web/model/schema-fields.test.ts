import { describe, expect, it } from 'vitest';
import {
  collectParameters,
  fieldsOf,
  humanize,
  initialValues,
  issuesByField,
} from './schema-fields.js';

const SCHEMA = {
  type: 'object',
  required: ['dataset', 'epochs'],
  properties: {
    dataset: { type: 'string', format: 'kiln-artifact', description: 'The split to train on' },
    epochs: { type: 'integer', minimum: 1, default: 3 },
    learningRate: { type: 'number', default: 0.01, title: 'Learning rate (Adam)' },
    model: { type: 'string', enum: ['dense', 'cnn'], default: 'dense' },
    shuffle: { type: 'boolean', default: true },
    layers: { type: 'array', items: { type: 'integer' }, default: [128, 64] },
    optimizer: { type: 'object', properties: { beta1: { type: 'number' } } },
  },
};

describe('fieldsOf', () => {
  it('makes one field per property with the right kind, label and path', () => {
    const fields = fieldsOf(SCHEMA);
    expect(fields.map((f) => [f.path, f.kind, f.required])).toEqual([
      ['/dataset', 'artifact', true],
      ['/epochs', 'integer', true],
      ['/learningRate', 'number', false],
      ['/model', 'choice', false],
      ['/shuffle', 'boolean', false],
      ['/layers', 'json', false],
      ['/optimizer', 'group', false],
    ]);
    expect(fields[2]?.label).toBe('Learning rate (Adam)');
    expect(fields[1]?.minimum).toBe(1);
    expect(fields[6]?.children[0]?.path).toBe('/optimizer/beta1');
    expect(humanize('batch_size')).toBe('Batch size');
    expect(humanize('learningRate')).toBe('Learning rate');
  });
});

describe('collectParameters', () => {
  it('turns defaults back into the same parameters', () => {
    const fields = fieldsOf(SCHEMA);
    const { parameters, issues } = collectParameters(fields, initialValues(fields));
    expect(issues).toEqual([]);
    expect(parameters).toEqual({
      epochs: 3,
      learningRate: 0.01,
      model: 'dense',
      shuffle: true,
      layers: [128, 64],
    });
  });

  it('sends typed values, leaves out empty ones and reports what cannot be parsed', () => {
    const fields = fieldsOf(SCHEMA);
    const values = {
      ...initialValues(fields),
      '/dataset': ' http://split:8080/artifacts/s1/ ',
      '/epochs': '0',
      '/learningRate': 'fast',
      '/layers': '[1,',
      '/optimizer/beta1': '0.9',
      '/shuffle': false,
    };
    const { parameters, issues } = collectParameters(fields, values);
    expect(parameters).toMatchObject({
      dataset: 'http://split:8080/artifacts/s1/',
      epochs: 0,
      shuffle: false,
      optimizer: { beta1: 0.9 },
    });
    expect(parameters).not.toHaveProperty('layers');
    expect(issues).toEqual([
      { path: '/learningRate', message: 'must be a number' },
      { path: '/layers', message: 'must be valid JSON' },
    ]);
  });
});

describe('issuesByField', () => {
  it('puts each issue on the field that owns its path', () => {
    const fields = fieldsOf(SCHEMA);
    const { byPath, other } = issuesByField(fields, [
      { path: '/epochs', message: 'must be >= 1' },
      { path: '/layers/0', message: 'must be integer' },
      { path: '/optimizer/beta1', message: 'must be <= 1' },
      { path: '/bogus', message: 'is not allowed' },
      { path: '', message: 'must be object' },
    ]);
    expect(Object.fromEntries(byPath)).toEqual({
      '/epochs': ['must be >= 1'],
      '/layers': ['must be integer'],
      '/optimizer/beta1': ['must be <= 1'],
    });
    expect(other.map((i) => i.path)).toEqual(['/bogus', '']);
  });
});
