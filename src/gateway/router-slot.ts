import type { Router } from '../llm/types.js';

/** One router and the requests running on it. */
export class RouterLease {
  inFlight = 0;
  retired = false;
  private closing: Promise<void> | undefined;

  constructor(readonly router: Router, readonly generation: number, private readonly onError: (error: unknown) => void) {}

  /** Ends one request on this router; closes a retired router when its last request ends. */
  release(): void {
    this.inFlight--;
    if (this.retired && this.inFlight === 0) void this.close();
  }

  close(): Promise<void> {
    this.closing ??= this.router.close().catch(this.onError);
    return this.closing;
  }
}

/**
 * Holds the current router for hot reloads. A request takes a lease on the current router and
 * keeps it to the end, so swapping in a new router never disturbs a request in flight; the old
 * router is closed when its last request ends.
 *
 * @example const lease = slot.acquire(); try { await lease.router.chat(req) } finally { lease.release() }
 */
export class RouterSlot {
  private current: RouterLease;
  private readonly retiredLeases = new Set<RouterLease>();

  constructor(router: Router, private readonly onCloseError: (error: unknown) => void = () => {}) {
    this.current = new RouterLease(router, 1, onCloseError);
  }

  /** The router new requests go to. */
  get router(): Router {
    return this.current.router;
  }

  /** How many routers have been installed (1 at start, +1 per reload). */
  get generation(): number {
    return this.current.generation;
  }

  /** Requests in flight on every router, current and retired. */
  get inFlight(): number {
    let total = this.current.inFlight;
    for (const lease of this.retiredLeases) total += lease.inFlight;
    return total;
  }

  /** Starts a request on the current router; call `release()` on the result exactly once. */
  acquire(): RouterLease {
    const lease = this.current;
    lease.inFlight++;
    return lease;
  }

  /** Installs `router` for new requests; the previous one closes once its requests have ended. */
  swap(router: Router): void {
    const old = this.current;
    this.current = new RouterLease(router, old.generation + 1, this.onCloseError);
    old.retired = true;
    if (old.inFlight === 0) void old.close();
    else this.retiredLeases.add(old); // closed by its last release()
    for (const lease of this.retiredLeases) if (lease.inFlight === 0) this.retiredLeases.delete(lease);
  }

  /** Closes every router (at shutdown, after draining). */
  async close(): Promise<void> {
    this.current.retired = true;
    await Promise.all([this.current.close(), ...[...this.retiredLeases].map((l) => l.close())]);
    this.retiredLeases.clear();
  }
}
