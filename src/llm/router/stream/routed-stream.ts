import { LlmError, StreamInterruptedError } from '../../errors.js';
import type { ChatRequest, ChatStream, ServedInfo, StreamEvent } from '../../types.js';
import type { BulwarkRouter } from '../bulwark-router.js';
import type { ChainPlan } from '../chain-plan.js';
import type { ModelGroup } from '../model-group.js';
import { noteAttempts, type RequestRun } from '../request-run.js';
import { AnswerAccumulator } from './answer-accumulator.js';
import { buildContinuation } from './continuation.js';
import { EVENT_STREAM_CONTINUATION } from '../../tracing/genai-attributes.js';
import { openStreamStep } from './open-step.js';
import type { UpstreamStream } from './upstream-stream.js';

/**
 * A live routed stream. Iterating it relays the upstream events; when the upstream breaks after
 * events reached the caller (cut connection, idle timeout, malformed chunk, premature end) the
 * break is never hidden: per the route's `streamFailover` it is either continued on the next
 * deployment with `canContinue: true` (only the new text is relayed, `served` becomes degraded
 * and names the continuing deployment) or ended by throwing {@link StreamInterruptedError}.
 * A completed answer is written to the cache. Iterate once.
 */
export class RoutedStream implements ChatStream {
  private servedInfo: ServedInfo;
  private readonly answer: AnswerAccumulator;
  /** Deployments whose stream broke during this request (never asked to continue). */
  private readonly broken = new Set<string>();
  private continuing = false;
  private dropLeadingWhitespace = false;
  private iterated = false;

  constructor(
    private readonly router: BulwarkRouter,
    private readonly run: RequestRun,
    private readonly plan: ChainPlan,
    private current: UpstreamStream,
    private group: ModelGroup,
    private depth: number,
    private readonly startedAt: number,
  ) {
    this.servedInfo = { servedBy: current.deployment.id, attempts: run.attempts, fallbackDepth: depth, degraded: false };
    this.answer = new AnswerAccumulator(Math.floor(router.clock.now() / 1000));
  }

  get served(): ServedInfo {
    return this.servedInfo;
  }

  [Symbol.asyncIterator](): AsyncIterator<StreamEvent> {
    if (this.iterated) throw new LlmError('bad_request', 'A router stream can be iterated only once');
    this.iterated = true;
    return this.events();
  }

  private async *events(): AsyncGenerator<StreamEvent> {
    let completed = false;
    let failure: unknown;
    try {
      for (;;) {
        const upstream = this.current;
        let broken: LlmError | undefined;
        let index = 0;
        for (;;) {
          let event: StreamEvent;
          if (index < upstream.buffered.length) {
            event = upstream.buffered[index++];
          } else {
            let step: IteratorResult<StreamEvent>;
            try {
              step = await upstream.next();
            } catch (error) {
              broken = upstream.failure(error);
              break;
            }
            if (step.done) {
              broken = new LlmError('connection', `Deployment ${upstream.deployment.id}: stream ended before its finish event`, { deployment: upstream.deployment.id });
              break;
            }
            event = step.value;
          }
          const out = this.relayable(event);
          if (out === undefined) continue;
          this.answer.add(out);
          if (out.type === 'finish') {
            upstream.end(undefined, out.usage === undefined ? undefined : out.usage.inputTokens + out.usage.outputTokens);
            completed = true;
            this.complete();
            yield out;
            return;
          }
          yield out;
        }
        upstream.end(broken);
        this.broken.add(upstream.deployment.id);
        await this.failOver(broken);
      }
    } catch (error) {
      failure = error;
      throw error;
    } finally {
      if (!completed) {
        // No error caught: the caller left the loop early (break / return()).
        failure ??= new LlmError('cancelled', 'The caller stopped reading the stream');
        noteAttempts(failure, this.run.attempts);
        this.current.end(failure instanceof LlmError ? failure : new LlmError('cancelled', 'The stream ended early'));
        this.servedInfo = { ...this.servedInfo, attempts: this.run.attempts };
        this.router.emitRequest(this.run.route, this.run.tenant, this.startedAt, undefined, failure, true, this.current.ttftMs, this.run.trace, this.run.requestId);
      }
      this.run.dispose();
    }
  }

  /** The event as the caller should see it (a continuation's own `start` is dropped, its leading whitespace too when the prefill lost some). */
  private relayable(event: StreamEvent): StreamEvent | undefined {
    if (!this.continuing) return event;
    if (event.type === 'start') return undefined;
    if (event.type === 'text' && this.dropLeadingWhitespace) {
      const text = event.text.replace(/^\s+/, '');
      if (text.length === 0) return undefined;
      this.dropLeadingWhitespace = false;
      return { type: 'text', text };
    }
    return event;
  }

  private complete(): void {
    const response = this.answer.response()!;
    const run = this.run;
    // An answer stitched from two models is served once, degraded; it is not kept as if one model had given it.
    if (run.cacheKey !== undefined && run.route.usesCache && !this.continuing && !this.answer.tooLarge) void this.router.cache.set(run.cacheKey, response, run.route.cacheTtlMs);
    this.servedInfo = { ...this.servedInfo, attempts: run.attempts };
    this.router.emitRequest(run.route, run.tenant, this.startedAt, { result: { response, served: this.servedInfo }, group: this.group.name, cacheHit: false }, undefined, true, this.current.ttftMs, run.trace, run.requestId);
  }

  /** Throws unless the broken stream can be, and was, continued on another deployment. */
  private async failOver(broken: LlmError): Promise<void> {
    const run = this.run;
    const from = broken.deployment ?? this.current.deployment.id;
    const interrupted = (why: string) =>
      new StreamInterruptedError(`The stream from ${from} broke after ${this.answer.text.length} characters (${broken.kind}: ${broken.message}); ${why}`, { cause: broken });
    if (run.cancelled) throw new LlmError('cancelled', 'The caller cancelled the request', { cause: broken });
    if (run.route.streamFailover === 'error') throw interrupted('the route ends broken streams with an error');
    if (run.signal.aborted) throw interrupted('the total timeout expired');
    if (this.answer.hasToolCalls) throw interrupted('a partial tool call cannot be continued by another model');
    if (this.answer.tooLarge) throw interrupted('the answer was too long to be continued by another model');
    let trimmed = '';
    const requestFor = (deployment: { provider: { dialect: 'openai' | 'anthropic' }; config: { model: string } }): ChatRequest => {
      const continuation = buildContinuation(run.request, this.answer.text, deployment.provider.dialect, deployment.config.model);
      trimmed = continuation.trimmed;
      return continuation.request;
    };
    let group: ModelGroup | undefined = this.group;
    let depth = this.depth;
    while (group !== undefined) {
      const exclude = new Set<string>([...this.broken, ...group.nonContinuable]);
      let outcome;
      try {
        outcome = await openStreamStep(this.router, run, group, exclude, requestFor);
      } catch (error) {
        if (error instanceof LlmError && error.kind === 'cancelled') throw error;
        throw interrupted(`the continuation was refused (${error instanceof Error ? error.message : String(error)})`);
      }
      if (outcome.type === 'answered') {
        run.trace?.event(EVENT_STREAM_CONTINUATION, { 'bulwark.continuation.from': this.current.deployment.id, 'bulwark.continuation.to': outcome.value.deployment.id });
        this.current = outcome.value;
        this.group = group;
        this.depth = depth;
        this.continuing = true;
        this.dropLeadingWhitespace = trimmed.length > 0;
        this.servedInfo = { servedBy: outcome.value.deployment.id, attempts: run.attempts, fallbackDepth: depth, degraded: true };
        return;
      }
      if (outcome.type === 'stopped') break;
      const next = this.plan.next();
      group = next?.group;
      depth = next?.depth ?? depth;
    }
    if (run.cancelled) throw new LlmError('cancelled', 'The caller cancelled the request', { cause: broken });
    throw interrupted('no model with canContinue could take over');
  }
}
