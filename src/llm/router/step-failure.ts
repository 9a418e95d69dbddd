import { LlmError } from '../errors.js';
import { isBreakerRejection, type Deployment } from './deployment.js';
import type { RequestRun } from './request-run.js';
import { toLlmError } from './to-llm-error.js';

/**
 * What to do after a deployment failed inside a chain step:
 * - `skip`: its breaker refused the call (nothing was sent, costs nothing) — pick another;
 * - `next`: a failure worth failing over (5xx, 429, timeout, connection, auth) — pick another
 *   deployment of the group, then the next step;
 * - `context` / `content`: go to the route's context-window / content-policy fallbacks;
 * - `stop`: the total timeout expired — no more models, go to cache / default.
 * Throws (to the caller, at once) when the error is the request's answer (ERROR_MEANINGS `chain: 'answer'`:
 * a bad or unsendable request, a cancellation, a Bulwark bug).
 */
export type FailureDecision = 'skip' | 'next' | 'context' | 'content' | 'stop';

/** Decides what a chain step does after `deployment` failed with `error` (see {@link FailureDecision}). */
export function decideAfterFailure(run: RequestRun, deployment: Deployment, error: unknown): FailureDecision {
  if (run.cancelled) throw new LlmError('cancelled', 'The caller cancelled the request', { deployment: deployment.id, cause: error });
  if (isBreakerRejection(error)) {
    run.lastError ??= error;
    return 'skip';
  }
  if (run.signal.aborted) {
    run.lastError = run.signal.reason;
    return 'stop';
  }
  const failure = toLlmError(error, deployment.id, run.callerSignal);
  run.lastError = failure;
  switch (failure.meaning.chain) {
    case 'answer':
      throw failure;
    case 'context':
      return 'context';
    case 'content':
      return 'content';
    case 'unhealthy':
      // The key is wrong: retrying it anywhere is pointless. Open the breaker so no later request
      // (this one included) sends it again until a half-open probe or an operator says otherwise.
      deployment.markUnhealthy(`upstream rejected the credentials (HTTP ${failure.upstreamStatus ?? '401/403'})`);
      return 'next';
    default:
      return 'next';
  }
}
