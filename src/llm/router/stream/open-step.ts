import { LlmError } from '../../errors.js';
import type { Deployment } from '../deployment.js';
import type { ModelGroup } from '../model-group.js';
import type { RequestRun } from '../request-run.js';
import type { RouterCore } from '../router-core.js';
import { runStep, type StepOutcome } from '../step-race.js';
import { StreamOpenAttempt, type StreamPlan, type UpstreamStream } from './upstream-stream.js';

/**
 * Opens a stream on one group ({@link runStep}: balancer pick skipping `exclude`, silent
 * failover before the first token inside the group, hedging when the group has a hedge policy):
 * each deployment opens it through its stream-open pipeline, holding its bulkhead slot. A hedge
 * loser that opens after another stream won is ended at once, which frees its slot.
 *
 * @param planFor the call and decoder for a deployment (the original request, or a continuation)
 */
export function openStreamStep<U, A>(
  core: RouterCore,
  run: RequestRun<A, U>,
  group: ModelGroup,
  exclude: Set<string>,
  planFor: (deployment: Deployment) => StreamPlan<U, A>,
): Promise<StepOutcome<UpstreamStream<U, A>>> {
  return runStep(core, run, group, exclude, {
    start(deployment, signal, outrun) {
      const attempt = new StreamOpenAttempt(core, run, group, deployment, () => planFor(deployment), outrun);
      return { promise: deployment.openStream(attempt.call, signal), reachedUpstream: () => attempt.calls > 0 };
    },
    discard(stream) {
      stream.end(new LlmError('cancelled', 'Another hedged stream produced its first token first'));
    },
  });
}
