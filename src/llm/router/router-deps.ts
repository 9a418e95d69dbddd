import type { Clock } from '../../core/clock.js';
import type { RandomSource } from '../../core/random.js';
import type { BreakerStateStore } from '../../core/circuit-breaker/store.js';
import type { ProbeGate } from '../../core/circuit-breaker/probe-gate.js';
import type { RunnablePolicy } from '../../core/policy.js';
import type { DeploymentConfig } from '../router-config.js';
import type { Provider, ProviderConfig } from '../provider.js';
import type { CacheStore } from '../../state/cache/cache-store.js';

/** What `createRouter` takes besides the config; every field is optional. */
export interface RouterDeps {
  /** Time source for every policy, timeout, cache TTL and event (default the system clock; a FakeClock gives virtual time). */
  clock?: Clock;
  /** Randomness for backoff jitter and balancing (default `Math.random`). */
  random?: RandomSource;
  /** Builds the provider of a deployment: `(providerName, config)`. Default: the adapters' `createProvider`, one per provider name, shared by its deployments. */
  providers?: (name: string, config: ProviderConfig) => Provider;
  /** Where cached answers live (default an in-memory LRU bounded by `config.cache.maxEntries`). */
  cacheStore?: CacheStore;
  /** Where breaker state is shared between replicas (default: each breaker's own memory store). Keys are deployment ids. */
  breakerStore?: BreakerStateStore;
  /** Cluster-wide half-open probe permits for the deployments' breakers (default none: each replica probes on its own). See `src/state`. */
  probeGate?: ProbeGate;
  /**
   * Extra policies run in front of a deployment's own pipeline (before its bulkhead and breaker),
   * built once per deployment: e.g. the gateway's adaptive concurrency limit and shared RPM/TPM
   * quotas. A refusal (`ConcurrencyLimitedError`, `RateLimitedError`) is a local `overloaded` /
   * `rate_limited` failure: nothing was sent, the breaker never sees it, the next deployment is
   * tried. Default none. Such a policy's operation resolves with a `ChatResponse` (chat) or an
   * {@link OpenedStream} (streams: its tokens are known only once it has ended).
   */
  deploymentPolicies?: (deployment: { id: string; group: string; config: DeploymentConfig }) => RunnablePolicy[];
}

/** What a deployment policy sees when the operation it wraps opened a stream. */
export interface OpenedStream {
  /** Resolves when the stream has ended (with the error that ended it, if any). */
  readonly ended: Promise<unknown>;
  /** Input + output tokens of the stream, once it has ended with its usage (undefined before, or when unknown). */
  readonly tokensUsed: number | undefined;
}
