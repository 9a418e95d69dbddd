import type { ErrorClassification } from './types.js';

/** Every error counts as a failure: the default `classifyError`. */
export const countEveryError = (): ErrorClassification => 'failure';

/**
 * A classifier that counts only instances of the given classes as failures and ignores every
 * other error (the course's `expected_exception`).
 *
 * @example new CircuitBreaker({ classifyError: failOn(ProviderUnavailableError, TimeoutError) })
 */
export function failOn(...errorClasses: Array<abstract new (...args: any[]) => unknown>): (error: unknown) => ErrorClassification {
  const classes = [...errorClasses];
  return (error) => {
    for (let i = 0; i < classes.length; i++) if (error instanceof classes[i]) return 'failure';
    return 'ignore';
  };
}
