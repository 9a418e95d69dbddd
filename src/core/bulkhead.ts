import type { Clock } from './clock.js';
import { systemClock } from './clock.js';
import { DeadlineList, DeadlineNode } from './deadline-list.js';
import { BulkheadRejectedError } from './errors.js';
import { EventEmitter } from './events.js';
import { Execution } from './execution.js';
import { FAST_BULKHEAD } from './fast-call.js';
import { checkInteger, checkNumber } from './options.js';
import type { ExecuteContext, Operation, RunnablePolicy } from './policy.js';

/** Default `maxConcurrent`: 10 calls at once. */
export const BULKHEAD_DEFAULT_MAX_CONCURRENT = 10;
/** Default `maxQueued`: 0 (reject at once when full). */
export const BULKHEAD_DEFAULT_MAX_QUEUED = 0;
/** Default `queueTimeoutMs`: Infinity (a queued call waits until a slot frees or it is aborted). */
export const BULKHEAD_DEFAULT_QUEUE_TIMEOUT_MS = Infinity;

/** Options of {@link bulkhead}; every field optional, defaults below. */
export interface BulkheadOptions {
  /** Calls running at once. Default {@link BULKHEAD_DEFAULT_MAX_CONCURRENT}. */
  maxConcurrent?: number;
  /** Calls waiting for a slot. Default {@link BULKHEAD_DEFAULT_MAX_QUEUED}. */
  maxQueued?: number;
  /** Longest wait in the queue before rejection. Default {@link BULKHEAD_DEFAULT_QUEUE_TIMEOUT_MS}. */
  queueTimeoutMs?: number;
  /** Default `systemClock`. */
  clock?: Clock;
}

/** Emitted when a call is rejected. */
export interface BulkheadRejectEvent {
  reason: 'full' | 'queue-timeout';
  executing: number;
  queued: number;
}

/** Marks a queued call whose caller cannot abort (nothing to listen to); `undefined` means it left. */
const NOT_LISTENING = () => {};

class QueuedCall extends DeadlineNode {
  // Queue links (separate from the deadline links).
  before: QueuedCall | undefined = undefined;
  after: QueuedCall | undefined = undefined;
  resolve!: () => void;
  reject!: (error: unknown) => void;
  signal: AbortSignal | undefined = undefined;
  onAbort: (() => void) | undefined = undefined;
  constructor(readonly bulkhead: BulkheadPolicy) {
    super();
  }
  expire(): void {
    this.bulkhead.leaveQueue(this, 'queue-timeout');
  }
}

/**
 * Caps concurrent calls (and the queue in front of them) so one slow dependency cannot take every
 * socket, worker or token. A full bulkhead rejects at once with {@link BulkheadRejectedError};
 * a queued call whose caller aborts leaves the queue at once.
 *
 * @example
 * const bulkhead = new BulkheadPolicy({ maxConcurrent: 8, maxQueued: 32, queueTimeoutMs: 2_000 });
 * await bulkhead.execute(() => callProvider());
 * metrics.set(bulkhead.executing, bulkhead.queued);
 */
export class BulkheadPolicy implements RunnablePolicy {
  /** @internal See fast-call.ts. */
  readonly fastKind = FAST_BULKHEAD;
  readonly maxConcurrent: number;
  readonly maxQueued: number;
  readonly queueTimeoutMs: number;
  private running = 0;
  private waiting = 0;
  private head: QueuedCall | undefined = undefined;
  private tail: QueuedCall | undefined = undefined;
  private readonly deadlines: DeadlineList;
  private readonly rejectEmitter = new EventEmitter<BulkheadRejectEvent>();
  /** Subscribe to rejections. */
  readonly onReject = this.rejectEmitter.event;

  constructor(options: BulkheadOptions = {}) {
    this.maxConcurrent = checkInteger('bulkhead', 'maxConcurrent', options.maxConcurrent ?? BULKHEAD_DEFAULT_MAX_CONCURRENT, 1);
    this.maxQueued = checkInteger('bulkhead', 'maxQueued', options.maxQueued ?? BULKHEAD_DEFAULT_MAX_QUEUED, 0, true);
    this.queueTimeoutMs = checkNumber('bulkhead', 'queueTimeoutMs', options.queueTimeoutMs ?? BULKHEAD_DEFAULT_QUEUE_TIMEOUT_MS, 0, true);
    this.deadlines = new DeadlineList(options.clock ?? systemClock);
  }

  /** Calls running now. */
  get executing(): number {
    return this.running;
  }

  /** Calls waiting for a slot now. */
  get queued(): number {
    return this.waiting;
  }

  execute<T>(operation: Operation<T>, signal?: AbortSignal): Promise<T> {
    return this.run(operation, Execution.root(undefined, signal));
  }

  async run<T>(operation: Operation<T>, context: ExecuteContext): Promise<T> {
    if (!this.tryTakeSlot()) await this.enqueue(context); // the slot is handed over already counted
    try {
      return await operation(context);
    } finally {
      this.releaseSlot();
    }
  }

  /** @internal Takes a slot if one is free now (a pipeline's fast path; false: `run` queues or rejects). */
  tryTakeSlot(): boolean {
    if (this.running >= this.maxConcurrent) return false;
    this.running++;
    return true;
  }

  /** @internal A call holding a slot settled: the slot goes to the next queued call, if any. */
  releaseSlot(): void {
    this.running--;
    if (this.head !== undefined) this.handOver();
  }

  private enqueue(context: ExecuteContext): Promise<void> {
    if (this.waiting >= this.maxQueued) {
      this.emitReject('full');
      return Promise.reject(new BulkheadRejectedError(this.running, this.waiting));
    }
    const execution = Execution.from(context);
    if (execution.aborted) return Promise.reject(execution.abortReason);
    const call = new QueuedCall(this);
    const promise = new Promise<void>((resolve, reject) => {
      call.resolve = resolve;
      call.reject = reject;
    });
    call.before = this.tail;
    if (this.tail !== undefined) this.tail.after = call;
    else this.head = call;
    this.tail = call;
    this.waiting++;
    if (this.queueTimeoutMs !== Infinity) this.deadlines.add(call, this.queueTimeoutMs);
    call.onAbort = NOT_LISTENING;
    if (execution.mayAbort) {
      const signal = execution.signal;
      call.signal = signal;
      call.onAbort = () => this.leaveQueue(call, signal.reason);
      signal.addEventListener('abort', call.onAbort, { once: true });
    }
    return promise;
  }

  private unlink(call: QueuedCall): void {
    if (call.before !== undefined) call.before.after = call.after;
    else this.head = call.after;
    if (call.after !== undefined) call.after.before = call.before;
    else this.tail = call.before;
    call.before = call.after = undefined;
    this.waiting--;
    this.deadlines.remove(call);
    if (call.signal !== undefined) call.signal.removeEventListener('abort', call.onAbort!);
    call.onAbort = undefined;
  }

  /** @internal A queued call leaves: queue timeout (`'queue-timeout'`) or abort (its reason). */
  leaveQueue(call: QueuedCall, why: unknown): void {
    if (call.onAbort === undefined) return; // already left
    this.unlink(call);
    if (why === 'queue-timeout') {
      this.emitReject('queue-timeout');
      call.reject(new BulkheadRejectedError(this.running, this.waiting, `Bulkhead queue wait exceeded ${this.queueTimeoutMs} ms`));
    } else {
      call.reject(why);
    }
  }

  private handOver(): void {
    while (this.running < this.maxConcurrent && this.head !== undefined) {
      const call = this.head;
      this.unlink(call);
      this.running++;
      call.resolve();
    }
  }

  private emitReject(reason: BulkheadRejectEvent['reason']): void {
    if (this.rejectEmitter.hasListeners) this.rejectEmitter.emit({ reason, executing: this.running, queued: this.waiting });
  }
}

/**
 * Builds a {@link BulkheadPolicy}; options are validated here, once.
 *
 * @example const b = bulkhead({ maxConcurrent: 4, maxQueued: 16 });
 */
export function bulkhead(options: BulkheadOptions = {}): BulkheadPolicy {
  return new BulkheadPolicy(options);
}
