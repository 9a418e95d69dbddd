import type { ExecuteContext } from '../../core/policy.js';
import type { ChatRequest, ChatResponse } from '../types.js';
import type { Deployment } from './deployment.js';
import type { ModelGroup } from './model-group.js';
import type { RequestRun } from './request-run.js';
import type { RouterCore } from './router-core.js';
import { runStep, type StepOutcome } from './step-race.js';
import { attemptError, saysSomethingAboutDeployment } from './to-llm-error.js';

/**
 * The innermost operation of a deployment's chat pipeline for one step of one request: one
 * upstream call per invocation (the retry policy may invoke it again). Counts the attempt,
 * reports the outcome to the balancer, records the deployment's last error and emits the
 * AttemptEvent. One object per step; its `call` is the operation.
 */
class ChatAttempt {
  private readonly upstream: ChatRequest;

  constructor(
    private readonly core: RouterCore,
    private readonly run: RequestRun,
    private readonly group: ModelGroup,
    private readonly deployment: Deployment,
  ) {
    this.upstream = { ...run.request, model: deployment.config.model };
  }

  /** Upstream calls this attempt made (the retry policy may call it again). */
  calls = 0;

  readonly call = async (context: ExecuteContext): Promise<ChatResponse> => {
    const { core, run, deployment } = this;
    run.attempts++;
    this.calls++;
    const done = this.group.balancer.start(deployment.id);
    const start = core.clock.now();
    const signal = context.signal;
    const span = run.trace?.attempt(this.group.name, deployment, this.upstream.model, this.calls - 1);
    try {
      const response = await (span === undefined
        ? deployment.provider.chat(this.upstream, { signal })
        : span.run(() => deployment.provider.chat(this.upstream, { signal })));
      const latencyMs = core.clock.now() - start;
      done({ ok: true, latencyMs, tokens: response.usage.inputTokens + response.usage.outputTokens, countsAsFailure: false });
      this.emit(true, undefined, latencyMs);
      span?.succeed(response);
      return response;
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
export function runChatStep(core: RouterCore, run: RequestRun, group: ModelGroup): Promise<StepOutcome<ChatResponse>> {
  return runStep(core, run, group, new Set(), {
    start(deployment, signal) {
      const attempt = new ChatAttempt(core, run, group, deployment);
      return { promise: deployment.chat.execute(attempt.call, signal), reachedUpstream: () => attempt.calls > 0 };
    },
    discard() {
      // A late chat answer holds nothing.
    },
  });
}
