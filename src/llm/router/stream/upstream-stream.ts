import type { ExecuteContext } from '../../../core/policy.js';
import { LlmError, type LlmErrorKind } from '../../errors.js';
import type { CallOutcome } from '../../balance/balancer.js';
import type { HeaderMap, StreamDecoder, UpstreamBody, UpstreamCall } from '../../exchange.js';
import type { Deployment } from '../deployment.js';
import type { ModelGroup } from '../model-group.js';
import type { RequestRun } from '../request-run.js';
import type { RouterCore } from '../router-core.js';
import { attemptError, saysSomethingAboutDeployment } from '../to-llm-error.js';
import type { AttemptTrace } from '../../tracing/request-trace.js';

/** Units read from an upstream stream; `ended` once its body has nothing more. */
export interface StreamRead<U> {
  units: U[];
  ended: boolean;
}

/**
 * One upstream stream that has produced its first token. `buffered` holds the units decoded so
 * far (up to and including the first token); the rest comes from {@link read}. `end()` must be
 * called exactly once: it lets the body go and reports the outcome to the balancer and observers.
 */
export class UpstreamStream<U, A> {
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
    private readonly run: RequestRun<A, U>,
    readonly group: ModelGroup,
    readonly deployment: Deployment,
    private readonly body: UpstreamBody,
    readonly decoder: StreamDecoder<U, A>,
    readonly call: UpstreamCall,
    readonly buffered: U[],
    private readonly controller: AbortController,
    private readonly done: (outcome: CallOutcome) => void,
    private readonly startedAt: number,
    /** Time to first token (ms): the latency the balancer learns from. */
    readonly ttftMs: number,
    private readonly detach: () => void,
  ) {
    this.ended = new Promise<LlmError | undefined>((resolve) => (this.markEnded = resolve));
  }

  /** The upstream's response headers. */
  get headers(): HeaderMap {
    return this.body.headers;
  }

  /** Reads and decodes the next chunk (throws an LlmError of the closed set when the stream breaks). */
  async read(): Promise<StreamRead<U>> {
    let step: IteratorResult<Buffer>;
    try {
      step = await this.body.next();
      if (step.done) return { units: this.decoder.end(), ended: true };
      return { units: this.decoder.push(step.value), ended: false };
    } catch (error) {
      throw this.failure(error);
    }
  }

  /** Maps an error read from this stream to an LlmError of the closed set. */
  failure(error: unknown): LlmError {
    return attemptError(error, this.deployment.id, this.controller.signal, this.run.callerSignal);
  }

  /** Ends the upstream stream: `error` undefined = it completed. Aborts the upstream call if still open. */
  end(error: LlmError | undefined): void {
    if (this.isEnded) return;
    this.isEnded = true;
    const usage = this.decoder.usage;
    const tokens = error === undefined && usage !== undefined ? usage.inputTokens + usage.outputTokens : undefined;
    this.tokensUsed = tokens;
    this.detach();
    this.body.close(error === undefined);
    this.markEnded(error);
    if (error !== undefined) {
      this.controller.abort(error);
      if (saysSomethingAboutDeployment(error)) this.deployment.recordError(error.kind);
    }
    this.done({ ok: error === undefined, latencyMs: this.ttftMs, tokens, countsAsFailure: error?.countsAsFailure ?? false });
    if (error === undefined || saysSomethingAboutDeployment(error) || error.kind === 'cancelled') {
      emitAttempt(this.core, this.run, this.group, this.deployment, error === undefined, error?.kind, this.core.clock.now() - this.startedAt);
    }
    if (this.trace !== undefined) {
      if (error === undefined) this.trace.succeed(undefined, usage?.inputTokens, usage?.outputTokens, this.decoder.responseModel);
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

/** How a stream is opened on one deployment: the call and the decoder of its answer. */
export interface StreamPlan<U, A> {
  call: UpstreamCall;
  decoder: StreamDecoder<U, A>;
}

/**
 * The innermost operation of a deployment's stream-open pipeline: starts one upstream stream and
 * reads until its first token. The upstream call lives on its own controller: aborted by the
 * attempt's signal (first-token timeout) only while opening, and by the request's signal (caller
 * cancel, total timeout) for its whole life.
 */
export class StreamOpenAttempt<U, A> {
  constructor(
    private readonly core: RouterCore,
    private readonly run: RequestRun<A, U>,
    private readonly group: ModelGroup,
    private readonly deployment: Deployment,
    /** The call and a fresh decoder, per upstream call (the retry policy may call again). */
    private readonly plan: () => StreamPlan<U, A>,
    /** Hedging: aborts the opening alone when the race is decided (see StepCalls.start). */
    private readonly outrun?: AbortSignal,
  ) {}

  /** Upstream calls this attempt made (the retry policy may call it again). */
  calls = 0;

  readonly call = async (context: ExecuteContext): Promise<UpstreamStream<U, A>> => {
    const { core, run, deployment } = this;
    if (this.outrun?.aborted) throw new LlmError('cancelled', 'The hedged race was decided before this attempt started');
    run.attempts++;
    this.calls++;
    const done = this.group.balancer.start(deployment.id);
    const startedAt = core.clock.now();
    const controller = new AbortController();
    const attemptSignal = this.outrun ? AbortSignal.any([context.signal, this.outrun]) : context.signal;
    const onAttemptAbort = () => controller.abort(attemptSignal.reason);
    const onRunAbort = () => controller.abort(run.signal.reason);
    if (attemptSignal.aborted) onAttemptAbort();
    else attemptSignal.addEventListener('abort', onAttemptAbort, { once: true });
    if (run.signal.aborted) onRunAbort();
    else run.signal.addEventListener('abort', onRunAbort, { once: true });
    const detach = () => run.signal.removeEventListener('abort', onRunAbort);
    let body: UpstreamBody | undefined;
    const span = run.trace?.attempt(this.group.name, deployment, deployment.target.model, this.calls - 1);
    try {
      const { call, decoder } = this.plan();
      const options = { signal: controller.signal, firstTokenTimeoutMs: deployment.policies.firstTokenTimeoutMs, idleTimeoutMs: deployment.policies.idleTimeoutMs };
      // With the attempt's span active, the request carries its traceparent.
      body = await (span === undefined ? deployment.provider.open(call, options) : span.run(() => deployment.provider.open(call, options)));
      const buffered: U[] = [];
      while (!decoder.started && !decoder.finished) {
        const step = await body.next();
        if (step.done) {
          buffered.push(...decoder.end());
          if (!decoder.started && !decoder.finished) throw new LlmError('connection', `Deployment ${deployment.id}: stream ended before its first token`);
          break;
        }
        for (const unit of decoder.push(step.value)) buffered.push(unit);
      }
      attemptSignal.removeEventListener('abort', onAttemptAbort);
      const ttftMs = core.clock.now() - startedAt;
      const stream = new UpstreamStream(core, run, this.group, deployment, body, decoder, call, buffered, controller, done, startedAt, ttftMs, () => {
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
      body?.close(false);
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
