import { ErrorCode, KilnError } from '@kiln/api';
import { describe, expect, it } from 'vitest';
import { ParameterValidator } from './parameter-validator.js';

function issuesOf(validator: ParameterValidator, parameters: unknown): unknown {
  try {
    validator.validate(parameters);
  } catch (error) {
    expect(error).toBeInstanceOf(KilnError);
    expect((error as KilnError).code).toBe(ErrorCode.ValidationFailed);
    return { detail: (error as KilnError).message, errors: (error as KilnError).errors };
  }
  throw new Error('the parameters were accepted');
}

describe('ParameterValidator', () => {
  const validator = new ParameterValidator({
    type: 'object',
    properties: {
      mode: { enum: ['fast', 'exact', 2] },
      kind: { const: 'dense' },
      epochs: { type: 'integer', minimum: 1, default: 3 },
    },
    required: ['mode'],
  });

  it('fills in defaults and refuses unknown properties', () => {
    expect(validator.validate({ mode: 'fast' })).toEqual({ mode: 'fast', epochs: 3 });
    expect(issuesOf(validator, { mode: 'fast', bogus: 1 })).toMatchObject({
      errors: [{ path: '/bogus', message: 'is not a known parameter' }],
    });
  });

  it('lists the allowed values of an enum, in the issue and in the detail', () => {
    expect(issuesOf(validator, { mode: 'slow' })).toEqual({
      detail: 'the parameters are not valid: /mode must be one of "fast", "exact", 2',
      errors: [{ path: '/mode', message: 'must be one of "fast", "exact", 2' }],
    });
  });

  it('names the one value a const allows', () => {
    expect(issuesOf(validator, { mode: 2, kind: 'conv' })).toMatchObject({
      errors: [{ path: '/kind', message: 'must be "dense"' }],
    });
  });

  it('points at a missing property', () => {
    expect(issuesOf(validator, {})).toMatchObject({
      errors: [{ path: '/mode', message: 'is required' }],
    });
  });
});
