import { describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import { LinePrefixer, servicePrefix } from './line-prefixer.js';

describe('LinePrefixer', () => {
  it('prefixes whole lines, holding a partial one until it ends', () => {
    const out = new PassThrough();
    let text = '';
    out.on('data', (chunk: Buffer) => (text += chunk.toString()));
    const lines: string[] = [];
    const prefixer = new LinePrefixer(out, 'svc | ', (line) => lines.push(line));
    const euro = Buffer.from('€');
    prefixer.write('one\r\ntw');
    prefixer.write(Buffer.concat([Buffer.from('o '), euro.subarray(0, 1)]));
    prefixer.write(Buffer.concat([euro.subarray(1), Buffer.from('\nthree')]));
    expect(text).toBe('svc | one\nsvc | two €\n');
    prefixer.flush();
    expect(text).toBe('svc | one\nsvc | two €\nsvc | three\n');
    expect(lines).toEqual(['one', 'two €', 'three']);
  });

  it('pads and colours prefixes', () => {
    expect(servicePrefix('a', 4, 0, false)).toBe('a    | ');
    expect(servicePrefix('a', 1, 0, true)).toBe('\u001b[36ma | \u001b[0m');
  });
});
