import { DEFAULT_MAX_DEPLOYMENTS_PER_STEP } from '../../defaults.js';
import type { ChatRequest } from '../../types.js';
import type { Deployment } from '../deployment.js';
import type { ModelGroup } from '../model-group.js';
import type { RequestRun } from '../request-run.js';
import type { RouterCore } from '../router-core.js';
import { decideAfterFailure } from '../step-failure.js';
import { StreamOpenAttempt, type UpstreamStream } from './upstream-stream.js';

/** How opening a stream in one chain step ended. Bad requests and cancellations are thrown. */
export type StreamStepOutcome =
  | { type: 'opened'; stream: UpstreamStream }
  | { type: 'failed' }
  | { type: 'redirect'; kind: 'context_length_exceeded' | 'content_filtered' }
  | { type: 'stopped' };

/**
 * Opens a stream on one group: the balancer picks (skipping `exclude`, open breakers, ejected
 * and drained deployments), the deployment's stream-open pipeline runs; a failure before the
 * first token fails over silently to another deployment of the group, up to
 * {@link DEFAULT_MAX_DEPLOYMENTS_PER_STEP} deployments actually called.
 *
 * @param requestFor the upstream request for a deployment (the original one, or a continuation)
 */
export async function openStreamStep(
  core: RouterCore,
  run: RequestRun,
  group: ModelGroup,
  exclude: Set<string>,
  requestFor: (deployment: Deployment) => ChatRequest,
): Promise<StreamStepOutcome> {
  let called = 0;
  while (called < DEFAULT_MAX_DEPLOYMENTS_PER_STEP) {
    if (run.signal.aborted) return { type: 'stopped' };
    const id = group.balancer.pick(exclude);
    if (id === undefined) break;
    exclude.add(id);
    const deployment = group.byId.get(id)!;
    const attempt = new StreamOpenAttempt(core, run, group, deployment, requestFor(deployment));
    const attemptsBefore = run.attempts;
    try {
      const stream = await deployment.openStream(attempt.call, run.signal);
      return { type: 'opened', stream };
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
