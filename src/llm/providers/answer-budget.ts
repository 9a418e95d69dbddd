/**
 * Bounds on what the gateway buffers of upstream answers. A non-streaming answer is read into
 * memory before it is parsed; without bounds one upstream sending 250 MiB (or six at once) takes
 * the process past its memory limit, and every request in flight dies with it. Two bounds:
 * per answer (`maxAnswerBytes`, per provider) and per process (an {@link AnswerBudget} shared by
 * every provider). Streams are not buffered: their events go on as they come (the SSE parser
 * bounds one event, the router bounds what it keeps of a streamed answer).
 */
import { LlmError } from '../errors.js';

/** Largest non-streaming answer read from an upstream (bytes). Default 16 MiB. */
export const DEFAULT_MAX_ANSWER_BYTES = 16 * 1024 * 1024;
/** Bytes of upstream answers all providers of the process may hold at once while reading them. Default 128 MiB. */
export const DEFAULT_ANSWER_BUFFER_BUDGET_BYTES = 128 * 1024 * 1024;

/** A process-wide count of answer bytes being buffered; a read that would exceed it fails. */
export class AnswerBudget {
  private usedBytes = 0;

  constructor(readonly limitBytes: number = DEFAULT_ANSWER_BUFFER_BUDGET_BYTES) {}

  /** Bytes held right now. */
  get inUseBytes(): number {
    return this.usedBytes;
  }

  /** Takes `bytes` from the budget; false (nothing taken) when that would exceed it. */
  tryTake(bytes: number): boolean {
    if (this.usedBytes + bytes > this.limitBytes) return false;
    this.usedBytes += bytes;
    return true;
  }

  /** Gives back what {@link tryTake} took. */
  giveBack(bytes: number): void {
    this.usedBytes = Math.max(0, this.usedBytes - bytes);
  }
}

/**
 * The error of an answer that would take the process past `budget`: `gateway_overloaded` — Bulwark's
 * own limit, not the upstream's doing (that deployment only happened to answer while others held
 * the budget), so it moves no breaker, outlier detector or health state; it is retried and failed
 * over like an overload.
 */
export function answerBudgetExceeded(budget: AnswerBudget, source: string): LlmError {
  return new LlmError('gateway_overloaded', `Bulwark is holding ${budget.inUseBytes} bytes of upstream answers (its limit is ${budget.limitBytes}); this answer from ${source} was cut off`);
}

/**
 * The error of an answer longer than the provider's `maxAnswerBytes`: `server_error` — that
 * upstream's own answer is too large, which counts against it.
 */
export function answerTooLarge(maxBytes: number, source: string): LlmError {
  return new LlmError('server_error', `${source} answered with a body larger than ${maxBytes} bytes (the provider's maxAnswerBytes); it was cut off`);
}

/** The budget every provider shares unless given its own. */
export const processAnswerBudget = new AnswerBudget();
