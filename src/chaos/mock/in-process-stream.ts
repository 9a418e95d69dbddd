/**
 * How the socket-free mock plays a streamed answer to the router: its framed events one by one
 * as an {@link UpstreamBody}, paced by `tokenDelayMs` on the injected clock, cut where the fault
 * plan said (a `connection` error after the last event sent), under the same first-token and idle
 * watchdog as the HTTP provider's.
 */
import { type Clock, sleep } from '../../core/clock.js';
import { LlmError } from '../../llm/errors.js';
import type { UpstreamBody } from '../../llm/exchange.js';
import type { StreamWatchdog } from '../../llm/providers/stream-watchdog.js';

/** The `source` the in-process mock's errors name. */
export const IN_PROCESS_SOURCE = 'Mock (in-process)';

/** What to play. */
export interface PlayedStream {
  /** Every event, framed (SSE text, or event-stream frames as latin1 strings). */
  readonly events: readonly string[];
  readonly encoding: BufferEncoding;
  /** Events sent before the end (or the cut). */
  readonly end: number;
  /** True when the stream breaks after `end` events instead of ending. */
  readonly cut: boolean;
  readonly tokenDelayMs: number;
  readonly contentType: string;
}

/** Where it plays: the clock, the call's signal, its watchdog, and what to release at the end. */
export interface StreamPlayer {
  readonly clock: Clock;
  readonly signal: AbortSignal;
  readonly watchdog: StreamWatchdog;
  readonly release: () => void;
}

/** The stream as an upstream body whose `next()` waits on the clock. */
export function playStream(stream: PlayedStream, player: StreamPlayer): UpstreamBody {
  const { events, encoding, end, cut, tokenDelayMs } = stream;
  const { clock, signal, watchdog, release } = player;
  let index = 0;
  let closed = false;
  return {
    status: 200,
    headers: { 'content-type': stream.contentType },
    async next(): Promise<IteratorResult<Buffer>> {
      if (closed) return { done: true, value: undefined };
      watchdog.resume();
      try {
        if (index > 0 && index < end && tokenDelayMs > 0) await sleep(clock, tokenDelayMs, signal);
        if (signal.aborted) throw signal.reason;
        watchdog.pause();
        if (index < end) return { done: false, value: Buffer.from(events[index++], encoding) };
        if (cut) throw new LlmError('connection', `${IN_PROCESS_SOURCE}: stream cut by a fault`);
        return { done: true, value: undefined };
      } catch (error) {
        release();
        throw signal.aborted ? aborted(signal.reason) : error;
      }
    },
    close() {
      closed = true;
      release();
    },
  };
}

/** As the HTTP provider: an LlmError reason is kept; a timeout reason is `timeout`; else `cancelled`. */
export function aborted(reason: unknown): LlmError {
  if (reason instanceof LlmError) return reason;
  const r = reason as { name?: unknown; code?: unknown } | null | undefined;
  if (r?.name === 'TimeoutError' || r?.code === 'BULWARK_ERR_TIMEOUT') {
    return new LlmError('timeout', `${IN_PROCESS_SOURCE} request aborted by a timeout`, { cause: reason });
  }
  return new LlmError('cancelled', `${IN_PROCESS_SOURCE} request cancelled by the caller`, { cause: reason });
}
