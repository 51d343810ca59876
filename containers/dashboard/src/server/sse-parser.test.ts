import { describe, expect, it } from 'vitest';
import { readSse, type SseEvent } from './sse-parser.js';

function streamOf(...chunks: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(encoder.encode(chunk));
      controller.close();
    },
  });
}

describe('readSse', () => {
  it('reads named events, comments, multi-line data and split chunks', async () => {
    const events: SseEvent[] = [];
    await readSse(
      streamOf(
        'retry: 2000\n: connected\n\nevent: artifact\nda',
        'ta: {"a":1}\n\r\n',
        'data: one\r\ndata:two\r',
        '\n\r\nevent: x\n\n',
      ),
      (event) => events.push(event),
    );
    expect(events).toEqual([
      { event: 'artifact', data: '{"a":1}' },
      { event: 'message', data: 'one\ntwo' },
    ]);
  });

  it('drops an event the stream ends in the middle of', async () => {
    const events: SseEvent[] = [];
    await readSse(streamOf('event: artifact\ndata: {}\n'), (event) => events.push(event));
    expect(events).toEqual([]);
  });
});
