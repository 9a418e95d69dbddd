import type { Clock } from '../../core/clock.js';
import { systemClock } from '../../core/clock.js';
import type { AlertLedger } from './alert-ledger.js';

interface Incident {
  /** Replica → hold expiry (clock ms). */
  holders: Map<string, number>;
  /** Clock ms of the last repeat claimed. */
  repeatedAt: number;
}

/**
 * {@link AlertLedger} of one process (the memory backend: this process is the whole cluster).
 * Incidents are forgotten once their last holder resolves or every hold has expired.
 *
 * @example const ledger = new MemoryAlertLedger({ clock }); if (await ledger.fire(id, replica, 30_000)) send(n);
 */
export class MemoryAlertLedger implements AlertLedger {
  private readonly incidents = new Map<string, Incident>();
  private readonly clock: Clock;

  constructor(options: { clock?: Clock } = {}) {
    this.clock = options.clock ?? systemClock;
  }

  async fire(id: string, replica: string, holdMs: number): Promise<boolean> {
    const now = this.clock.now();
    const incident = this.live(id, now);
    if (incident) {
      incident.holders.set(replica, now + holdMs);
      return false;
    }
    this.incidents.set(id, { holders: new Map([[replica, now + holdMs]]), repeatedAt: now });
    return true;
  }

  async hold(id: string, replica: string, holdMs: number): Promise<void> {
    const now = this.clock.now();
    const incident = this.live(id, now);
    if (incident) incident.holders.set(replica, now + holdMs);
    else this.incidents.set(id, { holders: new Map([[replica, now + holdMs]]), repeatedAt: now });
  }

  async repeat(id: string, intervalMs: number): Promise<boolean> {
    const now = this.clock.now();
    const incident = this.live(id, now);
    if (!incident || now - incident.repeatedAt < intervalMs) return false;
    incident.repeatedAt = now;
    return true;
  }

  async resolve(id: string, replica: string): Promise<boolean> {
    const incident = this.live(id, this.clock.now());
    if (!incident || !incident.holders.delete(replica)) return false;
    if (incident.holders.size > 0) return false;
    this.incidents.delete(id);
    return true;
  }

  /** The incident with its expired holds dropped; undefined (and forgotten) when none is left. */
  private live(id: string, now: number): Incident | undefined {
    const incident = this.incidents.get(id);
    if (!incident) return undefined;
    for (const [replica, until] of incident.holders) if (until <= now) incident.holders.delete(replica);
    if (incident.holders.size > 0) return incident;
    this.incidents.delete(id);
    return undefined;
  }
}
