/**
 * The built-in disaster-recovery scenarios. Each one declares its fault, which deployments
 * must serve again for the system to count as recovered, and its own pass/fail targets. The
 * same definitions run on virtual time (in-process, seeded) and on real time (gateway + mock).
 */
import type { MockFaultsInput } from '../mock/profile.js';
import { ALL_DEPLOYMENTS, BEDROCK, deploymentsOfVendor, GEMINI, PRIMARY_ALL, PRIMARY_EAST, PRIMARY_WEST, type DrillTimings, type TopologyOptions } from './topology.js';

/** The SLO every drill's error budget is measured against: 99.5% of requests answered. Default. */
export const DEFAULT_DRILL_SLO = 0.995;

/** How a scenario breaks the system during its fault window. */
export type DrillFault =
  /** The mock applies `faults` to each of `deployments` from fault start to fault end. */
  | { kind: 'mock'; deployments: readonly string[]; faults: MockFaultsInput }
  /** The gateway restarts at fault start (virtual time: the router is replaced; real time: the process). */
  | { kind: 'restart' }
  /**
   * One of several replicas behind a load balancer is SIGKILLed at fault start and started again
   * (real time: 3 `bulwark serve` processes behind a local TCP balancer; virtual time: the
   * router's requests in flight fail as a reset connection and are retried, as by the client).
   */
  | { kind: 'replica-kill' };

/** What a scenario must achieve. Unset fields are not checked. */
export interface DrillTargets {
  /** Requests with no answer and no clear error within the client's timeout. Always checked. */
  maxLost: number;
  /** Share of requests answered (any step, degraded answers included), e.g. 0.995. */
  minAvailability?: number;
  /** Share of the error budget (1 - SLO) the drill may use, e.g. 1 = all of it. */
  maxErrorBudgetUsed?: number;
  /** Fault start → first breaker open or first fallback answer (ms). */
  maxTtdMs?: number;
  /** Fault end → the recovering deployments serve again (ms). */
  maxRtoMs?: number;
  /** p99 latency over the whole drill (ms). A last resort (cache, default) may answer just after the route's deadline. */
  maxP99Ms?: number;
  /** Steps (`primary`, `secondary`, `cache`, `default`) or deployment ids that must have answered at least once. */
  mustServe?: readonly string[];
}

/** One disaster-recovery scenario. */
export interface DrillScenario {
  name: string;
  title: string;
  /** Streaming requests instead of plain ones. Default false. */
  stream?: boolean;
  /** The system it runs against, over the drill's own options (`crossCloud` for vendor outages). Default the single-vendor topology. */
  topology?: TopologyOptions;
  fault: DrillFault;
  /** Recovery (RTO) is when one of these serves a request sent after the fault ended. */
  recoveredBy: readonly string[];
  /** Targets, given the drill's timings (RTO targets follow the breaker's open period). */
  targets(timings: DrillTimings): DrillTargets;
}

const fiveXx: MockFaultsInput = { errors: { '500': 0.5, '503': 0.5 } };
/** A vendor's outage as its clients see it: 5xx answers and refused or reset connections. */
const vendorDown: MockFaultsInput = { errors: { '500': 0.3, '503': 0.4 }, reset: 0.3 };
/** Every OpenAI deployment of the cross-cloud topology (both models, both regions). */
const OPENAI_ALL = deploymentsOfVendor('openai');

/** The built-in scenarios, in the order `bulwark drill` runs them. */
export const DRILL_SCENARIOS: readonly DrillScenario[] = Object.freeze([
  {
    name: 'primary-outage',
    title: 'Primary model outage (100% 5xx)',
    fault: { kind: 'mock', deployments: PRIMARY_ALL, faults: fiveXx },
    recoveredBy: PRIMARY_ALL,
    targets: (t) => ({ maxLost: 0, minAvailability: DEFAULT_DRILL_SLO, maxErrorBudgetUsed: 1, maxTtdMs: 5_000, maxRtoMs: t.breakerOpenMs + 5_000, mustServe: ['secondary'] }),
  },
  {
    name: 'primary-hang',
    title: 'Primary model hangs (accepts, never answers)',
    fault: { kind: 'mock', deployments: PRIMARY_ALL, faults: { hang: 1 } },
    recoveredBy: PRIMARY_ALL,
    targets: (t) => ({ maxLost: 0, minAvailability: DEFAULT_DRILL_SLO, maxTtdMs: 3 * t.attemptTimeoutMs + 2_000, maxRtoMs: t.breakerOpenMs + 5_000, maxP99Ms: t.totalTimeoutMs + 1_000, mustServe: ['secondary'] }),
  },
  {
    name: 'rate-limit-storm',
    title: 'Rate-limit storm in the preferred region (429 + Retry-After 2 s)',
    fault: { kind: 'mock', deployments: PRIMARY_EAST, faults: { errors: { '429': 1 }, retryAfterMs: 2_000 } },
    recoveredBy: PRIMARY_EAST,
    targets: (t) => ({ maxLost: 0, minAvailability: DEFAULT_DRILL_SLO, maxErrorBudgetUsed: 1, maxTtdMs: 5_000, maxRtoMs: t.breakerOpenMs + 5_000, mustServe: [PRIMARY_WEST] }),
  },
  {
    name: 'latency-degradation',
    title: 'Latency degradation in the preferred region (p50/p99 x10)',
    fault: { kind: 'mock', deployments: PRIMARY_EAST, faults: { latency: { kind: 'lognormal', p50Ms: 400, p99Ms: 2_000 } } },
    recoveredBy: PRIMARY_EAST,
    targets: (t) => ({ maxLost: 0, minAvailability: DEFAULT_DRILL_SLO, maxErrorBudgetUsed: 1, maxRtoMs: t.breakerOpenMs + 5_000, maxP99Ms: 2 * t.attemptTimeoutMs + 1_000 }),
  },
  {
    name: 'stream-cuts',
    title: 'Streams cut mid-answer in the preferred region',
    stream: true,
    fault: { kind: 'mock', deployments: PRIMARY_EAST, faults: { streamCut: { afterChunks: 3, probability: 1 } } },
    recoveredBy: PRIMARY_EAST,
    // No TTD target: a continued stream keeps the headers of the deployment that broke, so only
    // virtual time (router in-process) sees the continuation.
    targets: (t) => ({ maxLost: 0, minAvailability: DEFAULT_DRILL_SLO, maxErrorBudgetUsed: 1, maxRtoMs: t.breakerOpenMs + 5_000 }),
  },
  {
    name: 'region-loss',
    title: 'Loss of the preferred region (every tier-0 deployment resets connections)',
    fault: { kind: 'mock', deployments: PRIMARY_EAST, faults: { reset: 1 } },
    recoveredBy: PRIMARY_EAST,
    targets: (t) => ({ maxLost: 0, minAvailability: DEFAULT_DRILL_SLO, maxErrorBudgetUsed: 1, maxTtdMs: 5_000, maxRtoMs: t.breakerOpenMs + 5_000, mustServe: [PRIMARY_WEST] }),
  },
  {
    name: 'all-models-down',
    title: 'Every model down (only the cache and the default answer remain)',
    fault: { kind: 'mock', deployments: ALL_DEPLOYMENTS, faults: { errors: { '503': 1 } } },
    recoveredBy: PRIMARY_ALL,
    targets: (t) => ({ maxLost: 0, minAvailability: DEFAULT_DRILL_SLO, maxTtdMs: 5_000, maxRtoMs: t.breakerOpenMs + 5_000, mustServe: ['cache', 'default'] }),
  },
  {
    name: 'vendor-outage',
    title: 'A whole vendor down (every OpenAI deployment): cross-cloud fallback to AWS Bedrock',
    topology: { crossCloud: true },
    // Streams: Bedrock's answer is an AWS event stream, translated to the client's SSE.
    stream: true,
    fault: { kind: 'mock', deployments: OPENAI_ALL, faults: vendorDown },
    recoveredBy: PRIMARY_ALL,
    targets: (t) => ({ maxLost: 0, minAvailability: DEFAULT_DRILL_SLO, maxErrorBudgetUsed: 1, maxTtdMs: 5_000, maxRtoMs: t.breakerOpenMs + 5_000, mustServe: [BEDROCK] }),
  },
  {
    name: 'two-vendor-outage',
    title: 'OpenAI and AWS Bedrock down at once: cross-cloud fallback to Gemini',
    topology: { crossCloud: true },
    fault: { kind: 'mock', deployments: [...OPENAI_ALL, ...deploymentsOfVendor('bedrock')], faults: vendorDown },
    recoveredBy: PRIMARY_ALL,
    targets: (t) => ({ maxLost: 0, minAvailability: DEFAULT_DRILL_SLO, maxErrorBudgetUsed: 1, maxTtdMs: 5_000, maxRtoMs: t.breakerOpenMs + 5_000, mustServe: [GEMINI] }),
  },
  {
    name: 'gateway-restart',
    title: 'Gateway restart under streaming load',
    // Streams are the requests a restart is most likely to break: they must drain, not be cut.
    stream: true,
    fault: { kind: 'restart' },
    recoveredBy: [...PRIMARY_EAST],
    targets: () => ({ maxLost: 0, minAvailability: DEFAULT_DRILL_SLO, maxErrorBudgetUsed: 1, maxRtoMs: 10_000 }),
  },
  {
    name: 'replica-kill',
    title: 'A replica SIGKILLed (and restarted) behind the load balancer',
    fault: { kind: 'replica-kill' },
    recoveredBy: [...PRIMARY_EAST],
    // Clients retry connection failures (as behind any real balancer): nothing may be lost.
    targets: () => ({ maxLost: 0, minAvailability: DEFAULT_DRILL_SLO, maxErrorBudgetUsed: 1, maxRtoMs: 10_000 }),
  },
] satisfies DrillScenario[]);

/** Finds built-in scenarios by name; throws naming the unknown one and the known ones. */
export function selectScenarios(names: readonly string[]): DrillScenario[] {
  if (names.length === 0) return [...DRILL_SCENARIOS];
  return names.map((name) => {
    const scenario = DRILL_SCENARIOS.find((s) => s.name === name);
    if (!scenario) throw new Error(`unknown scenario '${name}' (scenarios: ${DRILL_SCENARIOS.map((s) => s.name).join(', ')})`);
    return scenario;
  });
}
