import type { Dispatcher } from 'undici';
import type { LlmError } from '../errors.js';
import type { HeaderMap, UpstreamReply } from '../exchange.js';
import { answerBudgetExceeded, answerTooLarge, type AnswerBudget } from './answer-budget.js';

/** What a {@link BufferedAnswer} needs besides the request. */
export interface BufferedAnswerOptions {
  /** Largest answer body held (bytes); past it the answer is cut off (`server_error`). */
  maxBytes: number;
  /** Bytes all answers of the process may hold at once while being read (`overloaded` past it). */
  budget: AnswerBudget;
  /** The provider's name, for messages. */
  source: string;
  /** Error answers (status ≥ 400) are read up to this many bytes, then classified. */
  maxErrorBytes: number;
  /** Turns an error answer into its LlmError. */
  classifyHttp(status: number, headers: HeaderMap, text: string): LlmError;
  /** Aborts the request (its reason is the rejection). */
  signal?: AbortSignal;
}

/** Header names and values as undici hands them (raw, HTTP/1.1 or HTTP/2), as one object. */
function headersOf(raw: ReadonlyArray<Buffer | string | Array<Buffer | string>>): HeaderMap {
  const headers: Record<string, string | string[]> = Object.create(null) as Record<string, string | string[]>;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = String(raw[i]).toLowerCase();
    const item = raw[i + 1];
    const value = Array.isArray(item) ? item.map(String) : String(item);
    const seen = headers[name];
    if (seen === undefined) headers[name] = value;
    else headers[name] = (Array.isArray(seen) ? seen : [seen]).concat(value);
  }
  return headers;
}

/**
 * One upstream call whose answer is read whole into memory, as undici dispatch handler: the
 * bytes arrive in `onData` and are kept as they come (no stream, no async iterator, no copy
 * until the one concatenation at the end), bounded per answer and by the process budget — an
 * answer that would pass either is cut off at once (the connection is aborted, not read on).
 * Cancellation is one listener on the call's signal, which aborts the dispatch directly.
 *
 * @example const reply = await BufferedAnswer.send(pool, { method: 'POST', path, headers, body }, options);
 */
export class BufferedAnswer {
  private abortDispatch: ((reason?: Error) => void) | undefined = undefined;
  private status = 0;
  private headers: HeaderMap = {};
  private chunks: Buffer[] = [];
  private taken = 0;
  private errorText: string | undefined = undefined;
  private settled = false;
  /** Why the call was cut before undici connected it (it is aborted on connect). */
  private cutReason: Error | undefined = undefined;

  private constructor(
    private readonly options: BufferedAnswerOptions,
    private readonly resolve: (reply: UpstreamReply) => void,
    private readonly reject: (error: unknown) => void,
  ) {}

  /** Sends the request on `dispatcher` and resolves with the whole answer (status < 400), or rejects. */
  static send(dispatcher: Dispatcher, request: Dispatcher.DispatchOptions, options: BufferedAnswerOptions): Promise<UpstreamReply> {
    return new Promise<UpstreamReply>((resolve, reject) => {
      const handler = new BufferedAnswer(options, resolve, reject);
      const signal = options.signal;
      if (signal !== undefined) signal.addEventListener('abort', handler);
      try {
        dispatcher.dispatch(request, handler as unknown as Dispatcher.DispatchHandler);
      } catch (error) {
        handler.onError(error as Error);
      }
    });
  }

  /** @internal The call's signal aborted (this object is its listener). */
  handleEvent(): void {
    this.cut(this.options.signal!.reason as Error);
  }

  // ── undici's dispatch handler ────────────────────────────────────────────────────────────

  onConnect(abort: (reason?: Error) => void): void {
    this.abortDispatch = abort;
    if (this.cutReason !== undefined) abort(this.cutReason);
    else if (this.options.signal?.aborted) abort(this.options.signal.reason as Error);
  }

  onHeaders(status: number, rawHeaders: Array<Buffer | string>): boolean {
    this.status = status;
    this.headers = headersOf(rawHeaders);
    if (status >= 400) this.errorText = '';
    return true;
  }

  onData(chunk: Buffer): boolean {
    if (this.settled) return false; // cut off: nothing more is taken from the budget
    if (this.errorText !== undefined) {
      if (this.errorText.length < this.options.maxErrorBytes) this.errorText += chunk.toString('utf8');
      return true;
    }
    const { maxBytes, budget, source } = this.options;
    if (this.taken + chunk.length > maxBytes) {
      this.cut(answerTooLarge(maxBytes, source));
      return false;
    }
    if (!budget.tryTake(chunk.length)) {
      this.cut(answerBudgetExceeded(budget, source));
      return false;
    }
    this.taken += chunk.length;
    this.chunks.push(chunk);
    return true;
  }

  onComplete(): void {
    if (this.settled) return;
    const chunks = this.chunks;
    const body = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, this.taken);
    this.chunks = [];
    this.finish();
    if (this.errorText !== undefined) {
      this.reject(this.options.classifyHttp(this.status, this.headers, this.errorText));
      return;
    }
    this.resolve({ status: this.status, headers: this.headers, body });
  }

  onError(error: Error): void {
    if (this.settled) return;
    this.finish();
    this.reject(error);
  }

  /** Stops the call with `error` (the rejection), whether or not undici has connected yet. */
  private cut(error: Error): void {
    if (this.settled) return;
    this.finish();
    this.reject(error);
    this.cutReason = error;
    this.abortDispatch?.(error);
  }

  /** Settles once: the budget is given back (the bytes are the caller's now), the listener goes. */
  private finish(): void {
    this.settled = true;
    this.options.budget.giveBack(this.taken);
    this.taken = 0;
    this.options.signal?.removeEventListener('abort', this);
  }
}
