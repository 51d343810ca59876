import { describe, expect, it } from 'vitest';
import { parseServiceAddresses } from './service-addresses.js';

describe('parseServiceAddresses', () => {
  it('parses pairs, skips blanks and drops trailing slashes', () => {
    expect(
      parseServiceAddresses(' train=http://127.0.0.1:8085/, ,benchmark=https://10.0.0.7:9 '),
    ).toEqual({ train: 'http://127.0.0.1:8085', benchmark: 'https://10.0.0.7:9' });
    expect(parseServiceAddresses(undefined)).toEqual({});
  });

  it.each([
    ['train', /name=url/],
    ['=http://x', /name/],
    ['../x=http://x', /name/],
    ['a=ftp://x', /URL/],
    ['a=not a url', /URL/],
    ['a=http://x,a=http://y', /twice/],
  ])('refuses %s with INVALID_TOPOLOGY', (text, message) => {
    expect(() => parseServiceAddresses(text)).toThrow(message);
    expect(() => parseServiceAddresses(text)).toThrow(
      expect.objectContaining({ code: 'INVALID_TOPOLOGY' }),
    );
  });
});
