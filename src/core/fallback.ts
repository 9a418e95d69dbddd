import { EventEmitter } from './events.js';
import { Execution } from './execution.js';
import { checkFunction, invalidOption } from './options.js';
import type { ExecuteContext, Operation, RunnablePolicy } from './policy.js';

/** Options of {@link fallback}: exactly one of `value` / `fallback`. */
export interface FallbackOptions<R> {
  /** A fixed value returned instead of the error. Give this or `fallback`, not both. */
  value?: R;
  /** Computes the replacement from the error (may be async). Give this or `value`. */
  fallback?: (error: unknown, context: ExecuteContext) => R | PromiseLike<R>;
  /** Which errors to replace. Default: every error, except when the caller itself aborted. */
  handles?: (error: unknown) => boolean;
}

/** Emitted when the fallback replaces a failure. */
export interface FallbackEvent {
  error: unknown;
}

const handlesEverything = () => true;

/**
 * Replaces a failure with a value (or a function of the error). Never answers for a caller that
 * aborted: that caller is gone, so the failure surfaces unchanged.
 *
 * @example
 * const answer = fallback({ fallback: (error) => ({ text: 'Service busy, try again', degraded: true }) });
 * const reply = await answer.execute(() => callModel());
 */
export class FallbackPolicy<R = unknown> implements RunnablePolicy {
  private readonly hasValue: boolean;
  private readonly value: R | undefined;
  private readonly compute: ((error: unknown, context: ExecuteContext) => R | PromiseLike<R>) | undefined;
  private readonly handles: (error: unknown) => boolean;
  private readonly fallbackEmitter = new EventEmitter<FallbackEvent>();
  /** Subscribe to replaced failures. */
  readonly onFallback = this.fallbackEmitter.event;

  constructor(options: FallbackOptions<R>) {
    if (options === null || typeof options !== 'object') invalidOption('fallback', 'options', 'must be an object', options);
    this.hasValue = 'value' in options;
    if (this.hasValue === (options.fallback !== undefined)) {
      invalidOption('fallback', 'value/fallback', 'exactly one must be given', this.hasValue ? 'both' : 'neither');
    }
    this.value = options.value;
    this.compute = options.fallback === undefined ? undefined : checkFunction('fallback', 'fallback', options.fallback);
    this.handles = checkFunction('fallback', 'handles', options.handles ?? handlesEverything);
    Object.freeze(this);
  }

  execute<T>(operation: Operation<T>, signal?: AbortSignal): Promise<T> {
    return this.run(operation, Execution.root(undefined, signal));
  }

  async run<T>(operation: Operation<T>, context: ExecuteContext): Promise<T> {
    try {
      return await operation(context);
    } catch (error) {
      if (Execution.from(context).aborted || !this.handles(error)) throw error;
      if (this.fallbackEmitter.hasListeners) this.fallbackEmitter.emit({ error });
      // The fallback's type is the caller's promise: it stands in for the operation's result.
      return (this.hasValue ? this.value : await this.compute!(error, context)) as unknown as T;
    }
  }
}

/**
 * Builds a {@link FallbackPolicy}; options are validated here, once.
 *
 * @example const f = fallback({ value: 'n/a', handles: (e) => e instanceof TimeoutError });
 */
export function fallback<R>(options: FallbackOptions<R>): FallbackPolicy<R> {
  return new FallbackPolicy(options);
}
