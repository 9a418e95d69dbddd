import type { ExecuteContext, Operation } from './policy.js';

const NOT_ABORTED: unknown = Symbol('bulwark.notAborted');

/**
 * The context a policy hands to the work it runs. Its `signal` is created lazily: a call that
 * never reads `context.signal` allocates no AbortController and adds no abort listener, which is
 * most of what makes a pipeline cheap. When it is read, the signal is linked to the parent's
 * signal (itself lazy) and the link is removed by {@link Execution.dispose}.
 *
 * Policies derive one child per attempt (`parent.child(attempt)`), abort it to stop that attempt
 * (`child.abort(reason)`) and dispose it once the attempt settles.
 *
 * @example
 * const root = Execution.root(operation, callerSignal);
 * const attempt = root.child(1);
 * try { return await operation(attempt); } finally { attempt.dispose(); }
 */
export class Execution implements ExecuteContext {
  /** 1-based attempt number inside the nearest retry/hedge (1 when there is none). */
  readonly attempt: number;
  /**
   * @internal The operation a pipeline runs at its innermost step. Children inherit it, so the
   * pipeline's steps are built once and need no closure per call.
   */
  readonly operation: Operation<unknown> | undefined;
  private readonly parent: Execution | undefined;
  private readonly callerSignal: AbortSignal | undefined;
  private readonly abortable: boolean;
  /** A root that hands out the caller's signal as its own (nothing but the caller aborts it). */
  private readonly sharesCallerSignal: boolean;
  private controller: AbortController | undefined = undefined;
  private reason: unknown = NOT_ABORTED;
  /** The parent's signal this one listens to (this object is the listener: no closure per link). */
  private linkedTo: AbortSignal | undefined = undefined;

  private constructor(parent: Execution | undefined, callerSignal: AbortSignal | undefined, attempt: number, operation: Operation<unknown> | undefined, abortable: boolean, sharesCallerSignal = false) {
    this.parent = parent;
    this.callerSignal = callerSignal;
    this.abortable = abortable;
    this.sharesCallerSignal = sharesCallerSignal;
    this.attempt = attempt;
    this.operation = operation;
  }

  /** The context of a new call. `signal` is the caller's signal, if any. */
  static root(operation?: Operation<unknown>, signal?: AbortSignal, attempt = 1): Execution {
    return new Execution(undefined, signal, attempt, operation, signal !== undefined, signal !== undefined);
  }

  /**
   * The context of a call's first attempt that a policy may abort on its own (a timeout): like
   * `root(operation, signal).child()`, in one object. Its signal, when read, is its own, linked to
   * the caller's.
   */
  static abortableRoot(operation: Operation<unknown> | undefined, signal: AbortSignal | undefined): Execution {
    return new Execution(undefined, signal, 1, operation, true);
  }

  /** Uses `context` when it is an Execution, else wraps a foreign context (its signal becomes the parent). */
  static from(context: ExecuteContext): Execution {
    if (context instanceof Execution) return context;
    return new Execution(undefined, context.signal, context.attempt, undefined, true, true);
  }

  /**
   * A child context: aborts when this one aborts; may be aborted alone. Inherits the operation
   * unless given one. Pass `abortable: false` when the creator never calls `abort()` on it
   * (retry's attempts): {@link mayAbort} then lets waiting policies skip listening.
   */
  child(attempt: number = this.attempt, operation: Operation<unknown> | undefined = this.operation, abortable = true): Execution {
    return new Execution(this, undefined, attempt, operation, abortable);
  }

  /**
   * False when nothing can ever abort this context: no caller signal above it and no ancestor
   * that a policy may abort. Lets a policy skip creating a signal just to listen to it.
   */
  get mayAbort(): boolean {
    if (this.abortable || this.reason !== NOT_ABORTED) return true;
    return this.parent !== undefined && this.parent.mayAbort;
  }

  /** Aborts when the work should stop (created on first read). */
  get signal(): AbortSignal {
    if (this.controller !== undefined) return this.controller.signal;
    // A root that nobody aborts on its own can hand out the caller's signal as it is.
    if (this.sharesCallerSignal && this.reason === NOT_ABORTED) {
      return this.callerSignal!;
    }
    const controller = (this.controller = new AbortController());
    if (this.reason !== NOT_ABORTED) {
      controller.abort(this.reason);
      return controller.signal;
    }
    const parentSignal = this.parent !== undefined ? this.parent.signal : this.callerSignal;
    if (parentSignal !== undefined) {
      if (parentSignal.aborted) {
        this.reason = parentSignal.reason;
        controller.abort(parentSignal.reason);
      } else {
        this.linkedTo = parentSignal;
        parentSignal.addEventListener('abort', this);
      }
    }
    return controller.signal;
  }

  /** True when this context or an ancestor was aborted (never allocates a signal). */
  get aborted(): boolean {
    if (this.reason !== NOT_ABORTED) return true;
    if (this.parent !== undefined) return this.parent.aborted;
    return this.callerSignal !== undefined && this.callerSignal.aborted;
  }

  /** Why it was aborted (the reason of this context or of the aborted ancestor); undefined if not aborted. */
  get abortReason(): unknown {
    if (this.reason !== NOT_ABORTED) return this.reason;
    if (this.parent !== undefined) return this.parent.abortReason;
    return this.callerSignal?.aborted ? this.callerSignal.reason : undefined;
  }

  /**
   * The signal to watch for "the caller no longer wants this" (the parent's), created only when
   * asked. Policies that wait (retry, bulkhead queue, rate limiter) use it to stop waiting.
   */
  get parentSignal(): AbortSignal | undefined {
    return this.parent !== undefined ? this.parent.signal : this.callerSignal;
  }

  /** Aborts this context (and its children). Later calls are ignored. */
  abort(reason: unknown): void {
    if (this.reason !== NOT_ABORTED) return;
    this.reason = reason;
    this.dispose();
    if (this.controller !== undefined) this.controller.abort(reason);
  }

  /** @internal The linked parent signal aborted (this object is its `abort` listener). */
  handleEvent(): void {
    if (this.linkedTo !== undefined) this.abort(this.linkedTo.reason);
  }

  /** Removes the link to the parent's signal. Call once the work under this context has settled. */
  dispose(): void {
    const linkedTo = this.linkedTo;
    if (linkedTo !== undefined) {
      this.linkedTo = undefined;
      linkedTo.removeEventListener('abort', this);
    }
  }
}

/** Calls `operation` and always returns a promise (a synchronous throw becomes a rejection). */
export function invoke<T>(operation: Operation<T>, context: ExecuteContext): Promise<T> {
  try {
    return Promise.resolve(operation(context));
  } catch (error) {
    return Promise.reject(error);
  }
}
