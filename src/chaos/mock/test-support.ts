/** Helpers shared by the mock provider's tests (real HTTP on 127.0.0.1). */
import { FakeClock } from '../../core/fake-clock.js';

/** Polls `condition` every few ms (waiting for a network event, not for time to pass). */
export async function until(condition: () => boolean, what = 'condition', timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

/** POSTs JSON. */
export function postJson(url: string, body: unknown, init: RequestInit = {}): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), ...init });
}

export const chatBody = (over: Record<string, unknown> = {}) => ({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hello' }], ...over });
export const messagesBody = (over: Record<string, unknown> = {}) => ({
  model: 'claude-haiku-4-5',
  max_tokens: 64,
  messages: [{ role: 'user', content: 'hello' }],
  ...over,
});

/** Reads a response body as SSE events (raw text of each, without the blank line). */
export async function* sseEvents(response: Response): AsyncGenerator<string> {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  while (true) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      yield buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
    }
  }
  if (buffer.trim() !== '') yield buffer;
}

/** Collects every SSE event; `error` is set when the stream broke before its end. */
export async function collectEvents(response: Response): Promise<{ events: string[]; error: unknown }> {
  const events: string[] = [];
  try {
    for await (const event of sseEvents(response)) events.push(event);
    return { events, error: undefined };
  } catch (error) {
    return { events, error };
  }
}

/** A FakeClock that records every delay it was asked for. */
export class RecordingClock extends FakeClock {
  readonly delays: number[] = [];
  override setTimeout(callback: () => void, delayMs: number) {
    this.delays.push(delayMs);
    return super.setTimeout(callback, delayMs);
  }
}
