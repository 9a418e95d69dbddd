import type { Disposable } from '../events.js';

/** The states an operator can hold a breaker in, strongest first. */
export type OperatorState = 'isolated' | 'forced-closed' | 'disabled';

/**
 * Counts the operator's holds on a breaker. Several holders may isolate (or force closed, or
 * disable) at once; the state lasts until the last of them releases. Isolation wins over
 * forced-closed, which wins over disabled: the safest request prevails.
 */
export class OperatorHolds {
  private isolated = 0;
  private forcedClosed = 0;
  private disabled = 0;

  /**
   * Adds a hold and calls `changed()`; the returned disposer (idempotent) removes it and calls
   * `changed()` again.
   */
  acquire(state: OperatorState, changed: () => void): Disposable {
    this.add(state, 1);
    changed();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.add(state, -1);
      changed();
    };
  }

  /** The state the holds impose, or null when nobody holds the breaker. */
  get target(): OperatorState | null {
    if (this.isolated > 0) return 'isolated';
    if (this.forcedClosed > 0) return 'forced-closed';
    if (this.disabled > 0) return 'disabled';
    return null;
  }

  private add(state: OperatorState, delta: number): void {
    if (state === 'isolated') this.isolated += delta;
    else if (state === 'forced-closed') this.forcedClosed += delta;
    else this.disabled += delta;
  }
}

/** True for the operator states (left only by releasing the holds or by a newer remote snapshot). */
export function isOperatorState(state: string): state is OperatorState {
  return state === 'isolated' || state === 'forced-closed' || state === 'disabled';
}
