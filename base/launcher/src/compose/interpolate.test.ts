import { describe, expect, it } from 'vitest';
import { interpolate, interpolateDeep } from './interpolate.js';
import { LauncherError } from '../launcher-error.js';

const vars = { SET: 'value', EMPTY: '' };

describe('interpolate', () => {
  it('follows Compose: defaults, alternatives, escapes', () => {
    expect(interpolate('${SET} $SET ${UNSET}', vars)).toBe('value value ');
    expect(interpolate('${UNSET:-d} ${EMPTY:-d} ${EMPTY-d} ${UNSET-d}', vars)).toBe('d d  d');
    expect(interpolate('${SET:+alt} ${EMPTY:+alt} ${EMPTY+alt} ${UNSET+alt}', vars)).toBe(
      'alt  alt ',
    );
    expect(interpolate('$${SET} $$SET', vars)).toBe('${SET} $SET');
    expect(interpolate('${UNSET:-${SET}}', vars)).toBe('value');
    expect(interpolate('${KILN_PORT:-8080}:8080', {})).toBe('8080:8080');
  });

  it('fails on a required variable that is missing', () => {
    expect(() => interpolate('${UNSET:?set it}', vars)).toThrow(LauncherError);
    expect(() => interpolate('${EMPTY:?set it}', vars)).toThrow(/EMPTY is required: set it/);
    expect(interpolate('${EMPTY?set it}', vars)).toBe('');
  });

  it('interpolates values, not keys, all the way down', () => {
    expect(interpolateDeep({ '${SET}': ['${SET}', 1, null, { a: '$SET' }] }, vars)).toEqual({
      '${SET}': ['value', 1, null, { a: 'value' }],
    });
  });
});
