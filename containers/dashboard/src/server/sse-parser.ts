/** One Server-Sent Event: its name (`message` when none is given) and its data lines joined. */
export interface SseEvent {
  event: string;
  data: string;
}

/**
 * Splits an SSE byte stream into events (the WHATWG parsing rules for `event:` and `data:`,
 * comments and any line ending). Resolves when the stream ends.
 */
export async function readSse(
  body: ReadableStream<Uint8Array>,
  onEvent: (event: SseEvent) => void,
): Promise<void> {
  const decoder = new TextDecoder();
  let buffer = '';
  let event = '';
  let data: string[] = [];
  const line = (text: string): void => {
    if (text === '') {
      if (data.length > 0) onEvent({ event: event || 'message', data: data.join('\n') });
      event = '';
      data = [];
      return;
    }
    if (text.startsWith(':')) return;
    const colon = text.indexOf(':');
    const field = colon < 0 ? text : text.slice(0, colon);
    const value = colon < 0 ? '' : text.slice(colon + 1).replace(/^ /, '');
    if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
  };
  for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    let end: RegExpExecArray | null;
    while ((end = /\r\n|\r|\n/.exec(buffer)) !== null) {
      // a lone \r at the end may be the first half of \r\n: wait for more
      if (end[0] === '\r' && end.index === buffer.length - 1) break;
      line(buffer.slice(0, end.index));
      buffer = buffer.slice(end.index + end[0].length);
    }
  }
}
