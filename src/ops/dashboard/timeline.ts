import type { AlertNotification } from '../alert-types.js';
import type { BreakerEvent, EjectionEvent } from '../../llm/router-events.js';

/** Recent events kept for the dashboard's timeline (oldest overwritten). */
export const DEFAULT_TIMELINE_SIZE = 200;

/** One line of the dashboard's event timeline. */
export interface TimelineEntry {
  /** Clock time (ms). */
  at: number;
  kind: 'breaker' | 'ejection' | 'alert' | 'admin' | 'probe';
  /** Deployment id, alert id or route the entry is about. */
  subject: string;
  /** One human sentence; never contains a secret (kinds and ids only). */
  text: string;
  severity: 'info' | 'warning' | 'critical';
}

/** A breaker transition as a timeline entry (critical when it opened or was isolated). */
export function breakerEntry(e: BreakerEvent): TimelineEntry {
  const severity = e.to === 'open' || e.to === 'isolated' ? 'critical' : e.to === 'half-open' ? 'warning' : 'info';
  return { at: e.at, kind: 'breaker', subject: e.deployment, text: `breaker ${e.from} → ${e.to} (${e.reason})`, severity };
}

/** An ejection (warning) or re-admission (info) as a timeline entry. */
export function ejectionEntry(e: EjectionEvent): TimelineEntry {
  return e.ejected
    ? { at: e.at, kind: 'ejection', subject: e.deployment, text: `ejected from ${e.group}${e.durationMs !== undefined ? ` for ${Math.round(e.durationMs / 1000)} s` : ''}`, severity: 'warning' }
    : { at: e.at, kind: 'ejection', subject: e.deployment, text: `re-admitted to ${e.group}`, severity: 'info' };
}

/** An alert notification as a timeline entry (resolved ones are info). */
export function alertEntry(n: AlertNotification): TimelineEntry {
  const at = Date.parse(n.at);
  const severity = n.state === 'resolved' ? 'info' : n.severity;
  return { at: Number.isFinite(at) ? at : 0, kind: 'alert', subject: n.id, text: `${n.state === 'resolved' ? 'resolved' : n.repeat ? 'still firing' : 'firing'}: ${n.summary}`, severity };
}

/** A bounded ring of timeline entries, oldest first when read. */
export class Timeline {
  private readonly entries: TimelineEntry[] = [];
  private next = 0;

  constructor(private readonly size = DEFAULT_TIMELINE_SIZE) {}

  add(entry: TimelineEntry): void {
    if (this.entries.length < this.size) this.entries.push(entry);
    else {
      this.entries[this.next] = entry;
      this.next = (this.next + 1) % this.size;
    }
  }

  /** Entries, oldest first. */
  list(): TimelineEntry[] {
    return [...this.entries.slice(this.next), ...this.entries.slice(0, this.next)];
  }

  clear(): void {
    this.entries.length = 0;
    this.next = 0;
  }
}
