import type { ExecuteContext } from '../policy.js';

/** The context of a call made without a signal: nothing can abort it. Shared, frozen. */
export const IDLE_CONTEXT: ExecuteContext = Object.freeze({ signal: new AbortController().signal, attempt: 1 });

/** Whether the caller gave up on the call. Uses `aborted` when the context has it (core's Execution: no signal allocated). */
export function isCancelled(context: ExecuteContext): boolean {
  const aborted = (context as { readonly aborted?: unknown }).aborted;
  return typeof aborted === 'boolean' ? aborted : context.signal.aborted;
}

/** Why the call was cancelled (`abortReason` when the context has it, else the signal's reason). */
export function abortReason(context: ExecuteContext): unknown {
  const c = context as { readonly aborted?: unknown; readonly abortReason?: unknown };
  return typeof c.aborted === 'boolean' ? c.abortReason : context.signal.reason;
}
