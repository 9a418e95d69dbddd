import type { Clock } from '../../core/clock.js';
import { canonicalCall } from '../dialects/canonical/upstream-body.js';
import { timeout } from '../../core/timeout.js';
import type { Deployment } from './deployment.js';
import type { ProbeResult } from './router-control.js';
import { attemptError, saysSomethingAboutDeployment } from './to-llm-error.js';

/** The cheapest useful question: one word in, at most one token out. */
const PROBE_PROMPT = 'ping';

/** The probe's upstream call for a deployment (its API, its model). */
function probeCall(deployment: Deployment) {
  const { family, model } = deployment.target;
  return canonicalCall({ model, messages: [{ role: 'user', content: PROBE_PROMPT }], maxTokens: 1, temperature: 0 }, family, false);
}

/**
 * One active health-check call on `deployment`, straight to its provider (no breaker, retry or
 * balancer: a probe must not change routing), bounded by the deployment's attempt timeout on
 * `clock`. A failure is recorded as the deployment's last error.
 */
export async function probeDeployment(deployment: Deployment, clock: Clock, signal: AbortSignal | undefined): Promise<ProbeResult> {
  const start = clock.now();
  const bounded = timeout({ timeoutMs: deployment.policies.attemptTimeoutMs, clock });
  let attemptSignal: AbortSignal | undefined;
  try {
    await bounded.execute(({ signal: s }) => {
      attemptSignal = s;
      return deployment.provider.send(probeCall(deployment), { signal: s });
    }, signal);
    return { deployment: deployment.id, ok: true, latencyMs: clock.now() - start };
  } catch (error) {
    const failure = attemptError(error, deployment.id, attemptSignal, signal);
    if (saysSomethingAboutDeployment(failure)) deployment.recordError(failure.kind);
    return { deployment: deployment.id, ok: false, latencyMs: clock.now() - start, errorKind: failure.kind, error: failure.message };
  }
}
