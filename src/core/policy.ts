/**
 * The one execute contract. A policy runs a function and hands it an {@link ExecuteContext}
 * whose `signal` aborts when the caller, a timeout or a hedge wants the work to stop.
 * Pipelines are policies composed once (see `pipeline.ts`).
 */
export interface ExecuteContext {
  /** Aborts when the work should stop. Implementations may create it lazily (read it only if you need it). */
  readonly signal: AbortSignal;
  /** 1-based attempt number inside the nearest retry/hedge (1 when there is none). */
  readonly attempt: number;
}

/** A function run under a policy. */
export type Operation<T> = (context: ExecuteContext) => PromiseLike<T> | T;

export interface Policy {
  /**
   * Runs `operation` under this policy.
   * @param signal the caller's signal; when it aborts, waiting stops at once and the operation's signal aborts.
   */
  execute<T>(operation: Operation<T>, signal?: AbortSignal): Promise<T>;
}

/**
 * A policy that can also run inside an existing context. `pipeline()` uses `run` to compose
 * policies without a closure per call: `operation` is a step built once, `context` the current
 * call's context (pass it on as it is, or derive children with `Execution.from(context).child(n)`).
 * Every built-in policy implements it; a policy without it is adapted (one closure per call).
 */
export interface RunnablePolicy extends Policy {
  run<T>(operation: Operation<T>, context: ExecuteContext): Promise<T>;
}

/** True when `policy` implements the {@link RunnablePolicy} fast path. */
export function isRunnable(policy: Policy): policy is RunnablePolicy {
  return typeof (policy as Partial<RunnablePolicy>).run === 'function';
}
