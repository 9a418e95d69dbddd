/** Whether a shared-state backend is usable right now. */
export type StateBackendStatus = 'up' | 'down';

/**
 * Emitted when the shared state backend goes down or comes back. The gateway turns `down` into
 * an alert and a `/health` warning: replicas keep answering on local state meanwhile, so limits
 * and breaker decisions are per-replica until `up` (when local state is re-published and the
 * remote one reloaded).
 */
export interface StateStatusEvent {
  readonly backend: 'memory' | 'redis';
  readonly status: StateBackendStatus;
  /** Why, e.g. `"connection closed"` or `"3 commands failed: Command timed out"`. Never holds a URL or password. */
  readonly reason: string;
  /** Clock time of the change (ms). */
  readonly at: number;
}
