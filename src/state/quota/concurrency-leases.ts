/**
 * Counted slots shared by replicas: a key (e.g. a tenant) may hold at most `limit` leases at once,
 * each named by its holder and kept until released or until it expires (`leaseMs` after its last
 * acquire or renew), so a replica that crashed gives its slots back by itself. Implemented in
 * memory (one process) and on Redis (every replica); both pass `concurrency-leases.contract.ts`.
 * No method throws: an unreachable store is decided locally.
 */
export interface ConcurrencyLeases {
  /** Takes a slot of `key` for `holder` when fewer than `limit` are held; false otherwise. */
  acquire(key: string, holder: string, limit: number, leaseMs: number): Promise<boolean>;
  /** Gives `holder`'s slot back (nothing when it holds none). */
  release(key: string, holder: string): Promise<void>;
  /** Extends the leases of `holders` (still running) by `leaseMs` from now. */
  renew(key: string, holders: readonly string[], leaseMs: number): Promise<void>;
}
