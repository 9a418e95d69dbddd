import { BulkheadRejectedError, CancelledError, ConcurrencyLimitedError, RateLimitedError, TimeoutError } from '../../core/errors.js';
import { classifyError, recognizedKind } from '../classify.js';
import { LlmError } from '../errors.js';

/**
 * Maps whatever a deployment's pipeline threw to one {@link LlmError}, so the chain decides on
 * `kind` alone. The caller's own abort wins over everything (`cancelled`); a policy's
 * TimeoutError is `timeout`; a full bulkhead is `overloaded` (local, but the same decision:
 * try elsewhere). Open-breaker rejections are not errors of a call and never reach here.
 */
export function toLlmError(error: unknown, deployment: string, callerSignal: AbortSignal | undefined): LlmError {
  if (callerSignal?.aborted) {
    if (error instanceof LlmError && error.kind === 'cancelled') return withDeployment(error, deployment);
    return new LlmError('cancelled', 'The caller cancelled the request', { deployment, cause: error });
  }
  if (error instanceof LlmError) return withDeployment(error, deployment);
  if (error instanceof TimeoutError) return new LlmError('timeout', `Deployment ${deployment}: ${error.message}`, { deployment, cause: error });
  if (error instanceof BulkheadRejectedError) {
    return new LlmError('overloaded', `Deployment ${deployment} is at its concurrency limit`, { deployment, cause: error });
  }
  if (error instanceof ConcurrencyLimitedError) {
    return new LlmError('overloaded', `Deployment ${deployment} is at its adaptive concurrency limit`, { deployment, cause: error, retryAfterMs: error.retryAfterMs });
  }
  if (error instanceof RateLimitedError) {
    return new LlmError('rate_limited', `Deployment ${deployment} is at its shared rate limit`, { deployment, cause: error, retryAfterMs: error.retryAfterMs });
  }
  if (error instanceof CancelledError) return new LlmError('cancelled', error.message, { deployment, cause: error });
  // Providers classify what their upstream did; an error that escaped one unclassified (a
  // TypeError, a RangeError) is Bulwark's own failure: it never counts against the deployment.
  if (recognizedKind(error) === undefined) {
    const name = error instanceof Error ? error.name : typeof error;
    return new LlmError('internal', `Bulwark failed while preparing or reading the call to deployment ${deployment} (${name}); this is a bug, please report it with the request id`, { deployment, cause: error });
  }
  return withDeployment(classifyError(error), deployment);
}

function withDeployment(error: LlmError, deployment: string): LlmError {
  if (error.deployment === undefined) error.deployment = deployment;
  return error;
}

/**
 * An attempt's own error once its signal aborted: a timeout policy aborts with a TimeoutError,
 * and the provider then reports a `cancelled` abort — which is really that timeout.
 */
export function attemptError(error: unknown, deployment: string, attemptSignal: AbortSignal | undefined, callerSignal: AbortSignal | undefined): LlmError {
  if (!callerSignal?.aborted && attemptSignal?.aborted && attemptSignal.reason instanceof TimeoutError) {
    return new LlmError('timeout', `Deployment ${deployment}: ${attemptSignal.reason.message}`, { deployment, cause: attemptSignal.reason });
  }
  return toLlmError(error, deployment, callerSignal);
}

/**
 * True when a failure says something about the deployment (the upstream failed, or answered a
 * refusal): only then is it the deployment's last error and an attempt in its health and SLA. A
 * request refused before sending, a Bulwark bug or a cancellation is not.
 */
export function saysSomethingAboutDeployment(failure: LlmError): boolean {
  return failure.meaning.breaker !== 'ignore';
}
