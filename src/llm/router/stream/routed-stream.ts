import { LlmError, StreamInterruptedError } from '../../errors.js';
import type { HeaderMap } from '../../exchange.js';
import type { ExchangeStream, ServedInfo } from '../../types.js';
import type { ChainPlan } from '../chain-plan.js';
import type { ModelGroup } from '../model-group.js';
import { noteAttempts, type RequestRun } from '../request-run.js';
import type { RouterCore } from '../router-core.js';
import { EVENT_STREAM_CONTINUATION } from '../../tracing/genai-attributes.js';
import { openStreamStep } from './open-step.js';
import type { UpstreamStream } from './upstream-stream.js';

/**
 * A live routed stream. Iterating it relays the upstream's units; when the upstream breaks after
 * units reached the caller (cut connection, idle timeout, malformed chunk, premature end) the
 * break is never hidden: per the route's `streamFailover` it is either continued on the next
 * deployment with `canContinue: true` (the exchange's decoder says how: only the new text is
 * relayed, `served` becomes degraded and names the continuing deployment) or ended by throwing
 * {@link StreamInterruptedError}. A completed answer is written to the cache. Iterate once.
 */
export class RoutedStream<U, A> implements ExchangeStream<U> {
  private servedInfo: ServedInfo;
  /** Deployments whose stream broke during this request (never asked to continue). */
  private readonly broken = new Set<string>();
  private iterated = false;
  readonly upstreamHeaders: HeaderMap;

  constructor(
    private readonly core: RouterCore,
    private readonly run: RequestRun<A, U>,
    private readonly plan: ChainPlan,
    private current: UpstreamStream<U, A>,
    private group: ModelGroup,
    private depth: number,
    private readonly startedAt: number,
  ) {
    this.servedInfo = served(current, run.attempts, depth, false);
    this.upstreamHeaders = current.headers;
  }

  get served(): ServedInfo {
    return this.servedInfo;
  }

  [Symbol.asyncIterator](): AsyncIterator<U> {
    if (this.iterated) throw new LlmError('bad_request', 'A router stream can be iterated only once');
    this.iterated = true;
    return this.units();
  }

  private async *units(): AsyncGenerator<U> {
    let completed = false;
    let failure: unknown;
    try {
      for (;;) {
        const upstream = this.current;
        let units = upstream.buffered;
        let ended = false;
        let broken: LlmError | undefined;
        for (;;) {
          if (upstream.decoder.finished) {
            // Released before the last units are handed over, so a consumer that stops right after them leaks nothing.
            upstream.end(undefined);
            completed = true;
            this.complete();
            yield* units;
            return;
          }
          yield* units;
          if (ended) {
            broken = new LlmError('connection', `Deployment ${upstream.deployment.id}: stream ended before its finish event`, { deployment: upstream.deployment.id });
            break;
          }
          try {
            ({ units, ended } = await upstream.read());
          } catch (error) {
            broken = error instanceof LlmError ? error : upstream.failure(error);
            break;
          }
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
        this.core.reportRequest(this.run.route, this.run.tenant, this.startedAt, undefined, failure, true, this.current.ttftMs, this.run.trace, this.run.requestId);
      }
      this.run.dispose();
    }
  }

  private complete(): void {
    const run = this.run;
    const decoder = this.current.decoder;
    const answer = decoder.answer();
    if (run.cacheKey !== undefined && run.route.usesCache && answer !== undefined) void this.core.cache.set(run.cacheKey, run.exchange.store(answer), run.route.cacheTtlMs);
    this.servedInfo = { ...this.servedInfo, attempts: run.attempts };
    this.core.reportRequest(run.route, run.tenant, this.startedAt, { served: this.servedInfo, group: this.group.name, cacheHit: false, usage: decoder.usage }, undefined, true, this.current.ttftMs, run.trace, run.requestId);
  }

  /** Throws unless the broken stream can be, and was, continued on another deployment. */
  private async failOver(broken: LlmError): Promise<void> {
    const run = this.run;
    const from = broken.deployment ?? this.current.deployment.id;
    const decoder = this.current.decoder;
    const interrupted = (why: string) =>
      new StreamInterruptedError(`The stream from ${from} broke after ${decoder.text.length} characters (${broken.kind}: ${broken.message}); ${why}`, { cause: broken });
    if (run.cancelled) throw new LlmError('cancelled', 'The caller cancelled the request', { cause: broken });
    if (run.route.streamFailover === 'error') throw interrupted('the route ends broken streams with an error');
    if (run.signal.aborted) throw interrupted('the total timeout expired');
    if (decoder.hasToolCalls) throw interrupted('a partial tool call cannot be continued by another model');
    if (decoder.tooLarge) throw interrupted('the answer was too long to be continued by another model');
    const planFor = (deployment: { id: string; target: Parameters<typeof decoder.continueOn>[0] }) => {
      const continuation = decoder.continueOn(deployment.target);
      if (continuation === undefined) throw new LlmError('bad_request', `This answer cannot be continued on deployment ${deployment.id}`);
      return continuation;
    };
    let group: ModelGroup | undefined = this.group;
    let depth = this.depth;
    while (group !== undefined) {
      const exclude = new Set<string>([...this.broken, ...group.nonContinuable]);
      let outcome;
      try {
        outcome = await openStreamStep(this.core, run, group, exclude, planFor);
      } catch (error) {
        if (error instanceof LlmError && error.kind === 'cancelled') throw error;
        throw interrupted(`the continuation was refused (${error instanceof Error ? error.message : String(error)})`);
      }
      if (outcome.type === 'answered') {
        run.trace?.event(EVENT_STREAM_CONTINUATION, { 'bulwark.continuation.from': this.current.deployment.id, 'bulwark.continuation.to': outcome.value.deployment.id });
        this.current = outcome.value;
        this.group = group;
        this.depth = depth;
        this.servedInfo = served(outcome.value, run.attempts, depth, true);
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

function served(stream: UpstreamStream<unknown, unknown>, attempts: number, depth: number, degraded: boolean): ServedInfo {
  const info: ServedInfo = { servedBy: stream.deployment.id, attempts, fallbackDepth: depth, degraded };
  if (stream.call.dropped !== undefined && stream.call.dropped.length > 0) info.dropped = stream.call.dropped;
  return info;
}
