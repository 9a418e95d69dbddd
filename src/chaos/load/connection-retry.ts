/**
 * What a client behind a load balancer does when no server takes its request: a connection
 * refused, reset or closed *before any response* is tried again after a short pause, until the
 * request's own signal (its timeout) ends it. Once a response has started nothing is retried.
 * Shared by the drill's client and by `bulwark load` / chaos experiments (`retryConnectionErrors`).
 */
import { type Clock, sleep } from '../../core/clock.js';

/** Pause between reconnect attempts while no server takes the request (ms). */
export const RECONNECT_DELAY_MS = 50;
/** Connection failures that mean "no server is taking requests right now". */
export const CONNECTION_FAILURES: ReadonlySet<string> = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED']);

/** The error's code (undici and Node nest it in `cause`), else its name. */
export function errorCode(error: unknown): string {
  let e = error as { code?: unknown; cause?: unknown } | undefined;
  for (let depth = 0; e && depth < 4; depth++, e = e.cause as typeof e) if (typeof e.code === 'string') return e.code;
  return (error as Error)?.name ?? 'error';
}

/** Thrown when the signal ended the request while it was waiting to reconnect; names the last failure. */
export class GaveUpReconnecting extends Error {
  constructor(readonly lastCode: string) {
    super(`no server took the request before its timeout (last: ${lastCode})`);
    this.name = 'GaveUpReconnecting';
  }
}

/**
 * Runs `attempt`; while it rejects with a {@link CONNECTION_FAILURES} code, pauses
 * {@link RECONNECT_DELAY_MS} on `clock` and runs it again. Any other rejection is passed on; so is
 * the first one once `signal` has aborted, or a {@link GaveUpReconnecting} if it aborts during a pause.
 * `onRetry` hears each failure that is retried.
 */
export async function retryConnectionFailures<T>(attempt: () => Promise<T>, signal: AbortSignal, clock: Clock, onRetry?: (code: string) => void): Promise<T> {
  for (;;) {
    try {
      return await attempt();
    } catch (error) {
      const code = errorCode(error);
      if (signal.aborted || !CONNECTION_FAILURES.has(code)) throw error;
      onRetry?.(code);
      try {
        await sleep(clock, RECONNECT_DELAY_MS, signal);
      } catch {
        throw new GaveUpReconnecting(code);
      }
    }
  }
}
