import type { Event } from '../../core/events.js';
import type { LlmErrorKind } from '../errors.js';
import type { AttemptEvent, BreakerEvent, BreakerStateName, EjectionEvent, RequestEvent } from '../router-events.js';

/** One deployment as ops see it (`inspect()`). */
export interface DeploymentView {
  id: string;
  group: string;
  provider: string;
  /** Upstream model name. */
  model: string;
  region: string | undefined;
  breaker: BreakerStateName;
  /** While the breaker is open: ms until a half-open probe is allowed; else 0. */
  breakerRetryAfterMs: number;
  ejected: boolean;
  ejectedUntil: number | undefined;
  drained: boolean;
  /** True when new traffic may go to it (not drained, breaker not open/isolated, not ejected). */
  available: boolean;
  outstanding: number;
  latencyEwmaMs: number;
  lastErrorKind: LlmErrorKind | undefined;
  /** Clock time (ms) of the last error. */
  lastErrorAt: number | undefined;
  canContinue: boolean;
}

/** One step of a route's chain. */
export interface ChainGroupView {
  group: string;
  deployments: DeploymentView[];
}

export interface RouteView {
  name: string;
  /** Routes marked required decide health (`/health` fails when one has no usable deployment); never readiness. */
  required: boolean;
  /** True when the name is a model group asked for directly (no route of that name). */
  implicit: boolean;
  chain: ChainGroupView[];
  contextWindowFallbacks: ChainGroupView[];
  contentPolicyFallbacks: ChainGroupView[];
  cache: boolean;
  staleIfError: boolean;
  hasDefaultResponse: boolean;
  streamFailover: 'continue' | 'error';
}

/** A snapshot of the router for health, admin and dashboard views. */
export interface RouterInspection {
  /** Clock time of the snapshot. */
  at: number;
  routes: RouteView[];
}

/** The result of an active health check (`probe(id)`). */
export interface ProbeResult {
  deployment: string;
  ok: boolean;
  latencyMs: number;
  errorKind?: LlmErrorKind;
  /** Error message (never contains secrets). */
  error?: string;
}

/**
 * What the gateway and ops need beyond {@link Router}: event sources, a snapshot, admin
 * controls. Every control takes a deployment id and throws `InvalidOptionsError` for an unknown id.
 */
export interface RouterControl {
  /** One event per request through the router (after it ended). */
  readonly onRequest: Event<RequestEvent>;
  /** One event per upstream attempt. */
  readonly onAttempt: Event<AttemptEvent>;
  /** Every breaker transition of every deployment. */
  readonly onBreaker: Event<BreakerEvent>;
  /** Every ejection and re-admission by a group's outlier detector. */
  readonly onEjection: Event<EjectionEvent>;
  /** Routes → chain groups → deployments with their live state. */
  inspect(): RouterInspection;
  /** Isolates the deployment's breaker (no traffic) until `release(id)`. */
  forceOpen(deploymentId: string): void;
  /** Keeps the deployment's breaker closed whatever happens until `release(id)`. */
  forceClosed(deploymentId: string): void;
  /** Drops operator holds and closes the breaker (also heals a tripped or auth-opened one). */
  release(deploymentId: string): void;
  /** No new traffic for this deployment (calls in flight finish). */
  drain(deploymentId: string): void;
  /** Undoes {@link drain}. */
  undrain(deploymentId: string): void;
  /**
   * Active health check: one cheap upstream call (`max_tokens: 1`, a one-word prompt) straight to
   * the provider, bounded by the deployment's attempt timeout, outside breaker, retry and balancer
   * (a probe never changes routing state; it records the deployment's last error when it fails).
   */
  probe(deploymentId: string, options?: { signal?: AbortSignal }): Promise<ProbeResult>;
  /** Deployment ids, in config order. */
  deploymentIds(): string[];
}
