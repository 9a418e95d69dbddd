import type { ExecuteContext } from '../../../core/policy.js';
import { LlmError, type LlmErrorKind } from '../../errors.js';
import type { CallOutcome } from '../../balance/balancer.js';
import type { ChatRequest, StreamEvent } from '../../types.js';
import type { Deployment } from '../deployment.js';
import type { ModelGroup } from '../model-group.js';
import type { RequestRun } from '../request-run.js';
import type { RouterCore } from '../router-core.js';
import { attemptError, saysSomethingAboutDeployment } from '../to-llm-error.js';
import type { AttemptTrace } from '../../tracing/request-trace.js';

/**
 * One upstream stream that has produced its first token. `buffered` holds the events read so
 * far (the `start` event, if any, and the first content event); the rest comes from `iterator`.
 * `end()` must be called exactly once: it reports the outcome to the balancer and observers.
 */
export class UpstreamStream {
  /**
   * Resolves when {@link end} is called, with the error that ended the stream (undefined when it
   * completed): the deployment's bulkhead slot is held until then, and its breaker counts it.
   */
  readonly ended: Promise<LlmError | undefined>;
  private markEnded!: (error: LlmError | undefined) => void;
  private isEnded = false;
  /** Input + output tokens, known once the stream ended with its usage ({@link OpenedStream}). */
  tokensUsed: number | undefined = undefined;
  /** This attempt's span, when traced: it lasts until the stream ends. */
  trace: AttemptTrace | undefined = undefined;

  constructor(
    private readonly core: RouterCore,
    private readonly run: RequestRun,
    readonly group: ModelGroup,
    readonly deployment: Deployment,
    readonly iterator: AsyncIterator<StreamEvent>,
    readonly buffered: StreamEvent[],
    private readonly controller: AbortController,
    private readonly done: (outcome: CallOutcome) => void,
    private readonly startedAt: number,
    /** Time to first token (ms): the latency the balancer learns from. */
    readonly ttftMs: number,
    private readonly detach: () => void,
  ) {
    this.ended = new Promise<LlmError | undefined>((resolve) => (this.markEnded = resolve));
  }

  /** Reads the next upstream event (after the buffered ones). */
  next(): Promise<IteratorResult<StreamEvent>> {
    return this.iterator.next();
  }

  /** Maps an error read from this stream to an LlmError of the closed set. */
  failure(error: unknown): LlmError {
    return attemptError(error, this.deployment.id, this.controller.signal, this.run.callerSignal);
  }

  /** Ends the upstream stream: `error` undefined = it completed. Aborts the upstream call if still open. */
  end(error: LlmError | undefined, tokens?: number): void {
    if (this.isEnded) return;
    this.isEnded = true;
    this.tokensUsed = tokens;
    this.detach();
    this.markEnded(error);
    if (error !== undefined) {
      this.controller.abort(error);
      void this.iterator.return?.().catch(() => undefined);
      if (saysSomethingAboutDeployment(error)) this.deployment.recordError(error.kind);
    }
    this.done({ ok: error === undefined, latencyMs: this.ttftMs, tokens, countsAsFailure: error?.countsAsFailure ?? false });
    if (error === undefined || saysSomethingAboutDeployment(error) || error.kind === 'cancelled') {
      emitAttempt(this.core, this.run, this.group, this.deployment, error === undefined, error?.kind, this.core.clock.now() - this.startedAt);
    }
    if (this.trace !== undefined) {
      if (error === undefined) this.trace.succeed(undefined, undefined, tokens);
      else this.trace.fail(error.kind);
    }
  }
}

/** Emits one AttemptEvent (free when nobody listens). */
export function emitAttempt(core: RouterCore, run: RequestRun, group: ModelGroup, deployment: Deployment, ok: boolean, errorKind: LlmErrorKind | undefined, durationMs: number): void {
  const events = core.attemptEvents;
  if (!events.hasListeners) return;
  events.emit({ route: run.route.name, group: group.name, deployment: deployment.id, ok, errorKind, durationMs, at: core.clock.now() });
}

/**
 * The innermost operation of a deployment's stream-open pipeline: starts one upstream stream and
 * reads until its first content event (the `start` event alone is not a token). The upstream
 * call lives on its own controller: aborted by the attempt's signal (first-token timeout) only
 * while opening, and by the request's signal (caller cancel, total timeout) for its whole life.
 */
export class StreamOpenAttempt {
  constructor(
    private readonly core: RouterCore,
    private readonly run: RequestRun,
    private readonly group: ModelGroup,
    private readonly deployment: Deployment,
    private readonly upstream: ChatRequest,
  ) {}

  /** Upstream calls this attempt made (the retry policy may call it again). */
  calls = 0;

  readonly call = async (context: ExecuteContext): Promise<UpstreamStream> => {
    const { core, run, deployment } = this;
    run.attempts++;
    this.calls++;
    const done = this.group.balancer.start(deployment.id);
    const startedAt = core.clock.now();
    const controller = new AbortController();
    const attemptSignal = context.signal;
    const onAttemptAbort = () => controller.abort(attemptSignal.reason);
    const onRunAbort = () => controller.abort(run.signal.reason);
    if (attemptSignal.aborted) onAttemptAbort();
    else attemptSignal.addEventListener('abort', onAttemptAbort, { once: true });
    if (run.signal.aborted) onRunAbort();
    else run.signal.addEventListener('abort', onRunAbort, { once: true });
    const detach = () => run.signal.removeEventListener('abort', onRunAbort);
    let iterator: AsyncIterator<StreamEvent> | undefined;
    const span = run.trace?.attempt(this.group.name, deployment, this.upstream.model, this.calls - 1);
    try {
      const events = deployment.provider.stream(this.upstream, {
        signal: controller.signal,
        firstTokenTimeoutMs: deployment.policies.firstTokenTimeoutMs,
        idleTimeoutMs: deployment.policies.idleTimeoutMs,
      });
      iterator = events[Symbol.asyncIterator]();
      const buffered: StreamEvent[] = [];
      for (;;) {
        // The first read sends the request: with the attempt's span active, it carries its traceparent.
        const step = await (span === undefined || buffered.length > 0 ? iterator.next() : span.run(() => iterator!.next()));
        if (step.done) throw new LlmError('connection', `Deployment ${deployment.id}: stream ended before its first token`);
        buffered.push(step.value);
        if (step.value.type !== 'start') break;
      }
      attemptSignal.removeEventListener('abort', onAttemptAbort);
      const ttftMs = core.clock.now() - startedAt;
      const stream = new UpstreamStream(core, run, this.group, deployment, iterator, buffered, controller, done, startedAt, ttftMs, () => {
        run.signal.removeEventListener('abort', onOpenedAbort);
      });
      // From now on the request's abort (caller cancel, total timeout) ends the stream, read or not,
      // so its bulkhead slot and balancer count are released even if nobody iterates it.
      stream.trace = span;
      const onOpenedAbort = () => stream.end(stream.failure(run.signal.reason));
      detach();
      if (run.signal.aborted) onOpenedAbort();
      else run.signal.addEventListener('abort', onOpenedAbort, { once: true });
      return stream;
    } catch (error) {
      attemptSignal.removeEventListener('abort', onAttemptAbort);
      detach();
      const failure = attemptError(error, deployment.id, controller.signal, run.callerSignal);
      controller.abort(failure);
      void iterator?.return?.().catch(() => undefined);
      if (saysSomethingAboutDeployment(failure)) deployment.recordError(failure.kind);
      done({ ok: false, latencyMs: core.clock.now() - startedAt, countsAsFailure: failure.countsAsFailure });
      if (saysSomethingAboutDeployment(failure) || failure.kind === 'cancelled') {
        emitAttempt(core, run, this.group, deployment, false, failure.kind, core.clock.now() - startedAt);
      }
      span?.fail(failure.kind);
      throw failure;
    }
  };
}
