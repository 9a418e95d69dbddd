/**
 * What the chat endpoints report about each request for ops: requests in flight per route and
 * the gateway's own time (everything but the router call). Optional: without an observer the
 * chat handler reads no extra clock.
 */
export interface ChatObserver {
  /** A request for `route` (the model asked for) is about to reach the router. */
  started(route: string): void;
  /**
   * The request ended. `overheadMs`: time spent before the router call plus time to write the
   * answer after it (non-streamed answers that succeeded); undefined otherwise.
   */
  ended(route: string, overheadMs: number | undefined): void;
}
