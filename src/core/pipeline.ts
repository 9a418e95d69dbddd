import { Execution, invoke } from './execution.js';
import { InvalidOptionsError } from './errors.js';
import { FastPlan, type Step } from './fast-call.js';
import type { ExecuteContext, Operation, Policy, RunnablePolicy } from './policy.js';
import { isRunnable } from './policy.js';

/** The innermost step: runs the operation the call brought with it (carried by its Execution). */
function runCallOperation(context: ExecuteContext): Promise<unknown> {
  const operation = (context as Execution).operation;
  if (operation === undefined) return Promise.reject(new InvalidOptionsError('pipeline: step called without an operation'));
  return invoke(operation, context);
}

function stepFor(policy: Policy, next: Step): Step {
  if (isRunnable(policy)) return (context) => policy.run(next, context);
  // A foreign policy: one closure per call to carry the context through its execute().
  return (context) => {
    const outer = Execution.from(context);
    // Keep our operation, adopt the foreign policy's signal and attempt number.
    return policy.execute((inner) => next(Execution.root(outer.operation, inner.signal, inner.attempt)), outer.signal);
  };
}

/**
 * Policies composed once, outermost first, into one frozen policy. The steps are built here, so
 * a call through the pipeline allocates no closure for the composition itself; and built-in
 * policies at its front share one fast path (see {@link FastPlan}): when the breaker is closed,
 * the bulkhead has room and it is the first attempt, the operation runs at once and its outcome
 * comes back through every policy in one reaction.
 *
 * Recommended order for a call to a remote dependency (see README):
 * `pipeline(fallback, totalTimeout, retry, breaker, bulkhead, attemptTimeout)`.
 *
 * @example
 * const guarded = pipeline(retry({ maxAttempts: 3 }), timeout({ timeoutMs: 2_000 }));
 * await guarded.execute(({ signal }) => fetch(url, { signal }));
 */
export class Pipeline implements RunnablePolicy {
  /** The composed policies, outermost first. */
  readonly policies: readonly Policy[];
  private readonly first: Step;
  private readonly flatPolicies: readonly Policy[];
  private readonly fast: FastPlan | undefined;

  constructor(policies: readonly Policy[]) {
    policies.forEach((policy, index) => {
      if (policy === null || typeof policy !== 'object' || typeof policy.execute !== 'function') {
        throw new InvalidOptionsError(`pipeline: policies[${index}] must be a Policy (got ${String(policy)})`);
      }
    });
    this.policies = Object.freeze([...policies]);
    // A nested pipeline is spliced in: same behaviour, one level less.
    const flat = policies.flatMap((policy) => (policy instanceof Pipeline ? policy.flatPolicies : [policy]));
    this.flatPolicies = Object.freeze(flat);
    // steps[i] runs policies i… then the operation; steps[flat.length] the operation alone.
    const steps: Step[] = [runCallOperation];
    for (let i = flat.length - 1; i >= 0; i--) steps.unshift(stepFor(flat[i], steps[0]));
    this.first = steps[0];
    this.fast = FastPlan.of(flat, Object.freeze(steps));
    Object.freeze(this);
  }

  execute<T>(operation: Operation<T>, signal?: AbortSignal): Promise<T> {
    if (this.fast !== undefined) return this.fast.execute(operation as Operation<unknown>, signal) as Promise<T>;
    return this.first(Execution.root(operation as Operation<unknown>, signal)) as Promise<T>;
  }

  run<T>(operation: Operation<T>, context: ExecuteContext): Promise<T> {
    // Run inside another policy's call: the innermost step must call `operation`, which itself
    // expects the caller's own operation on the context it receives (rare path: one closure).
    const parent = Execution.from(context);
    const callerOperation = parent.operation;
    const sub = parent.child(undefined, (inner) => {
      const back = Execution.from(inner).child(inner.attempt, callerOperation);
      return invoke(operation, back).finally(() => back.dispose());
    });
    return (this.first(sub) as Promise<T>).finally(() => sub.dispose());
  }
}

/**
 * Composes policies, outermost first, into one frozen {@link Pipeline} (itself a Policy).
 *
 * @example const p = pipeline(fallback({ value: 'n/a' }), retry(), timeout({ timeoutMs: 1000 }));
 */
export function pipeline(...policies: Policy[]): Pipeline {
  return new Pipeline(policies);
}
