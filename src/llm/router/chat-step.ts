import type { ExecuteContext } from '../../core/policy.js';
import type { Answer, UpstreamCall } from '../exchange.js';
import { callFor } from './chain-walk.js';
import { LlmError } from '../errors.js';
import type { Deployment } from './deployment.js';
import type { ModelGroup } from './model-group.js';
import type { RequestRun } from './request-run.js';
import type { RouterCore } from './router-core.js';
import { runStep, type StepOutcome } from './step-race.js';
import { attemptError, saysSomethingAboutDeployment } from './to-llm-error.js';

/** A non-streaming answer from one deployment, with the call that produced it. */
export interface AnsweredCall<A> extends Answer<A> {
  readonly call: UpstreamCall;
}

/**
 * The innermost operation of a deployment's chat pipeline for one step of one request: one
 * upstream call per invocation (the retry policy may invoke it again). Counts the attempt,
 * reports the outcome to the balancer, records the deployment's last error and emits the
 * AttemptEvent. One object per step; its `call` is the operation.
 */
class AnswerAttempt<A> {
  constructor(
    private readonly core: RouterCore,
    private readonly run: RequestRun<A>,
    private readonly group: ModelGroup,
    private readonly deployment: Deployment,
    /** Hedging: aborts this attempt alone when the race is decided (see StepCalls.start). */
    private readonly outrun?: AbortSignal,
  ) {}

  /** Upstream calls this attempt made (the retry policy may call it again). */
  calls = 0;

  readonly call = async (context: ExecuteContext): Promise<AnsweredCall<A>> => {
    const { core, run, deployment, outrun } = this;
    // The race was decided before this (retried or queued) attempt began: nothing to send.
    if (outrun?.aborted) throw new LlmError('cancelled', 'The hedged race was decided before this attempt started');
    run.attempts++;
    this.calls++;
    const done = this.group.balancer.start(deployment.id);
    const start = core.clock.now();
    const signal = outrun ? AbortSignal.any([context.signal, outrun]) : context.signal;
    const span = run.trace?.attempt(this.group.name, deployment, deployment.target.model, this.calls - 1);
    try {
      const call = callFor(run, deployment);
      // With the attempt's span active, the request carries its traceparent.
      const reply = await (span === undefined ? deployment.provider.send(call, { signal }) : span.run(() => deployment.provider.send(call, { signal })));
      const answer = run.exchange.read(reply, deployment.target);
      const latencyMs = core.clock.now() - start;
      const usage = answer.usage;
      done({ ok: true, latencyMs, tokens: usage === undefined ? undefined : usage.inputTokens + usage.outputTokens, countsAsFailure: false });
      this.emit(true, undefined, latencyMs);
      // The answer's model, id and finish reason are read for the span only when it is traced.
      span?.succeed(run.exchange.describeAnswer?.(answer.value), usage?.inputTokens, usage?.outputTokens);
      return { value: answer.value, usage, call };
    } catch (error) {
      const failure = attemptError(error, deployment.id, signal, run.callerSignal);
      const latencyMs = core.clock.now() - start;
      done({ ok: false, latencyMs, countsAsFailure: failure.countsAsFailure });
      if (saysSomethingAboutDeployment(failure)) deployment.recordError(failure.kind);
      if (saysSomethingAboutDeployment(failure) || failure.kind === 'cancelled') this.emit(false, failure.kind, latencyMs);
      span?.fail(failure.kind);
      throw failure;
    }
  };

  private emit(ok: boolean, errorKind: ReturnType<typeof attemptError>['kind'] | undefined, durationMs: number): void {
    const events = this.core.attemptEvents;
    if (!events.hasListeners) return;
    events.emit({ route: this.run.route.name, group: this.group.name, deployment: this.deployment.id, ok, errorKind, durationMs, at: this.core.clock.now() });
  }
}

/**
 * One chain step, non-streaming ({@link runStep}: balancer pick, failover inside the group,
 * hedging when the group has a hedge policy): each deployment runs the call through its chat
 * pipeline (bulkhead → breaker → retry → attempt timeout).
 */
export function runAnswerStep<A>(core: RouterCore, run: RequestRun<A>, group: ModelGroup, exclude: Set<string>): Promise<StepOutcome<AnsweredCall<A>>> {
  return runStep(core, run, group, exclude, {
    start(deployment, signal, outrun) {
      const attempt = new AnswerAttempt(core, run, group, deployment, outrun);
      return { promise: deployment.chat.execute(attempt.call, signal), reachedUpstream: () => attempt.calls > 0 };
    },
    discard() {
      // A late answer holds nothing.
    },
  });
}
