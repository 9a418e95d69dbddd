import type { ExecuteContext } from '../../core/policy.js';
import { DEFAULT_MAX_DEPLOYMENTS_PER_STEP } from '../defaults.js';
import type { ChatRequest, ChatResponse } from '../types.js';
import type { Deployment } from './deployment.js';
import type { ModelGroup } from './model-group.js';
import type { RequestRun } from './request-run.js';
import type { RouterCore } from './router-core.js';
import { decideAfterFailure } from './step-failure.js';
import { attemptError } from './to-llm-error.js';

/** How one chain step ended. Bad requests and cancellations are thrown instead. */
export type ChatStepOutcome =
  | { type: 'answered'; response: ChatResponse; deployment: Deployment }
  | { type: 'failed' }
  | { type: 'redirect'; kind: 'context_length_exceeded' | 'content_filtered' }
  | { type: 'stopped' };

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

  readonly call = async (context: ExecuteContext): Promise<ChatResponse> => {
    const { core, run, deployment } = this;
    run.attempts++;
    const done = this.group.balancer.start(deployment.id);
    const start = core.clock.now();
    const signal = context.signal;
    try {
      const response = await deployment.provider.chat(this.upstream, { signal });
      const latencyMs = core.clock.now() - start;
      done({ ok: true, latencyMs, tokens: response.usage.inputTokens + response.usage.outputTokens, countsAsFailure: false });
      this.emit(true, undefined, latencyMs);
      return response;
    } catch (error) {
      const failure = attemptError(error, deployment.id, signal, run.callerSignal);
      const latencyMs = core.clock.now() - start;
      done({ ok: false, latencyMs, countsAsFailure: failure.countsAsFailure });
      if (failure.kind !== 'cancelled') deployment.recordError(failure.kind);
      this.emit(false, failure.kind, latencyMs);
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
 * One chain step, non-streaming: the balancer picks a deployment (open breakers, ejected,
 * drained and already-tried ones are skipped), its pipeline runs the call; on a failure worth
 * failing over, another deployment of the same group is tried, up to
 * {@link DEFAULT_MAX_DEPLOYMENTS_PER_STEP} deployments that were actually called.
 */
export async function runChatStep(core: RouterCore, run: RequestRun, group: ModelGroup): Promise<ChatStepOutcome> {
  const tried = new Set<string>();
  let called = 0;
  while (called < DEFAULT_MAX_DEPLOYMENTS_PER_STEP) {
    if (run.signal.aborted) return { type: 'stopped' };
    const id = group.balancer.pick(tried);
    if (id === undefined) break;
    tried.add(id);
    const deployment = group.byId.get(id)!;
    const attempt = new ChatAttempt(core, run, group, deployment);
    const attemptsBefore = run.attempts;
    try {
      const response = await deployment.chat.execute(attempt.call, run.signal);
      return { type: 'answered', response, deployment };
    } catch (error) {
      if (run.attempts > attemptsBefore) called++;
      const decision = decideAfterFailure(run, deployment, error);
      if (decision === 'stop') return { type: 'stopped' };
      if (decision === 'context') return { type: 'redirect', kind: 'context_length_exceeded' };
      if (decision === 'content') return { type: 'redirect', kind: 'content_filtered' };
    }
  }
  return { type: 'failed' };
}
