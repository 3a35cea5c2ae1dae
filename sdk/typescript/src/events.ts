import { EventSourceParserStream } from 'eventsource-parser/stream';
import { throwProblem } from './errors.js';
import type { components } from './generated/schema.js';

export type PlatformEventType = components['schemas']['PlatformEvent']['type'];

/** One live event of the workspace: its type and data (with `at`, when it happened). */
export interface LiveEvent {
  type: PlatformEventType;
  data: Record<string, unknown> & { at: string };
}

/**
 * Reads `text/event-stream` answers into events until the server ends the stream or the signal
 * aborts. Parsing is eventsource-parser's (the WHATWG rules), so it works in browsers and Node.
 */
export async function* readEvents(response: Response, signal?: AbortSignal): AsyncGenerator<LiveEvent, void, undefined> {
  if (!response.ok) await throwProblem(response);
  if (!response.body) return;
  const reader = response.body.pipeThrough(new TextDecoderStream()).pipeThrough(new EventSourceParserStream()).getReader();
  const cancel = () => void reader.cancel().catch(() => undefined);
  signal?.addEventListener('abort', cancel, { once: true });
  try {
    for (;;) {
      const { value, done } = await reader.read().catch((error: unknown) => {
        if (signal?.aborted) return { value: undefined, done: true as const };
        throw error;
      });
      if (done) return;
      if (!value.event) continue;
      yield { type: value.event as PlatformEventType, data: JSON.parse(value.data) as LiveEvent['data'] };
    }
  } finally {
    signal?.removeEventListener('abort', cancel);
    cancel();
  }
}
