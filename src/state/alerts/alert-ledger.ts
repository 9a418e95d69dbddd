/**
 * Who sends an alert's notifications when several replicas see the same incident: every replica
 * evaluates the rules on its own view, but the sinks (webhooks, Slack…) hear about one incident
 * once for the whole cluster. An incident is an alert id (`rule:subject`) from its first holder's
 * `fire` to its last holder's `resolve`; holders are replicas that see it now, each kept for
 * `holdMs` after its last `fire`/`hold` (a replica that crashed lets go by itself). The memory
 * backend is the whole cluster in one process; the Redis one is shared by every replica.
 *
 * Every method is decided atomically; none throws. When the shared store cannot be reached the
 * answer is `true` (send): a duplicate notification beats a lost one.
 */
export interface AlertLedger {
  /** `replica` sees the alert firing; true when it is the first holder of a new incident (send `firing`). */
  fire(id: string, replica: string, holdMs: number): Promise<boolean>;
  /** `replica` still sees it (refreshes its hold); nothing to send. */
  hold(id: string, replica: string, holdMs: number): Promise<void>;
  /** The incident is still firing after `intervalMs`: true for the one replica that sends the repeat in this interval. */
  repeat(id: string, intervalMs: number): Promise<boolean>;
  /** `replica` no longer sees it; true when it was the last holder (send `resolved`, the incident is over). */
  resolve(id: string, replica: string): Promise<boolean>;
}
