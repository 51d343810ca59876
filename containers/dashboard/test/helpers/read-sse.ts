import { SseParser } from '@kiln/client';

/** One Server-Sent Event of a merged stream: its name and its data. */
export interface SseEvent {
  event: string;
  data: string;
}

/** Reads an event stream to its end, handing each event to `onEvent` (the SDK's parser). */
export async function readSse(
  body: ReadableStream<Uint8Array>,
  onEvent: (event: SseEvent) => void,
): Promise<void> {
  const parser = new SseParser();
  const decoder = new TextDecoder();
  for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
    for (const { event, data } of parser.feed(decoder.decode(chunk, { stream: true })))
      onEvent({ event, data });
  }
}
