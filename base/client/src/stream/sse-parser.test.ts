import { describe, expect, it } from 'vitest';
import { SseParser } from './sse-parser.js';

describe('SseParser', () => {
  it('parses events split across chunks, with ids, comments and multi-line data', () => {
    const parser = new SseParser();
    expect(parser.feed(': keep-alive\nevent: artifact\nid: 7\nda')).toEqual([]);
    expect(parser.feed('ta: {"a":1}\n\ndata: line 1\r\ndata: line 2\r\n\r\n')).toEqual([
      { event: 'artifact', data: '{"a":1}', id: '7' },
      { event: 'message', data: 'line 1\nline 2', id: undefined },
    ]);
    expect(parser.lastEventId).toBe('7');
  });

  it('waits for the \\n of a \\r\\n split across chunks', () => {
    const parser = new SseParser();
    expect(parser.feed('data: x\r')).toEqual([]);
    expect(parser.feed('\n\r\n')).toEqual([{ event: 'message', data: 'x', id: undefined }]);
  });

  it('does not dispatch an event without data', () => {
    const parser = new SseParser();
    expect(parser.feed('event: artifact\n\n')).toEqual([]);
  });
});
