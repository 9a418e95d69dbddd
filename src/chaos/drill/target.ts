import type { Clock } from '../../core/clock.js';
import type { MockFaultsInput } from '../mock/profile.js';
import type { DrillStep } from './measure.js';

/** What one drill request produced, before timing is added. */
export interface DrillAnswer {
  step: Exclude<DrillStep, 'lost'> | 'lost';
  servedBy?: string;
  status: number;
  error?: string;
  /** A broken stream continued on this deployment (visible in-process only: headers are sent before the break). */
  continuedBy?: string;
}

/**
 * The system under drill, as the scenario runner drives it: a way to send a request, to
 * break and heal mock deployments, to restart the gateway, and (where visible) breaker events.
 * Implemented on virtual time (`virtual-target.ts`) and on real time (`real-target.ts`).
 */
export interface DrillTarget {
  /** The clock the run is timed on (the load generator and the fault timeline use it). */
  readonly clock: Clock;
  /** Sends request `index`; resolves with how it ended (never rejects for HTTP errors). */
  send(index: number, stream: boolean, signal: AbortSignal): Promise<DrillAnswer>;
  /** Applies `faults` over the baseline to each deployment; `null` heals them. */
  setFaults(deployments: readonly string[], faults: MockFaultsInput | null): Promise<void>;
  /** Restarts the gateway: in-flight requests finish, new ones reach the new instance. Resolves when it serves again. */
  restart(): Promise<void>;
  /** SIGKILLs one replica (chosen at random) and starts it again; resolves when it serves again. */
  killReplica(): Promise<void>;
  /** Clock times (ms) of breaker openings seen so far; empty when the target cannot see breakers. */
  readonly breakerOpens: readonly number[];
  close(): Promise<void>;
}

/** Prompts repeat over a small pool, so the stale-if-error cache has answers to give. */
export const PROMPT_POOL = 40;
/** Every this-many-th request asks something new (no cache entry can answer it: the default answer must). */
export const UNIQUE_PROMPT_EVERY = 4;

/** The prompt of request `index`: from the pool, or unique for every {@link UNIQUE_PROMPT_EVERY}-th request. */
export function drillPrompt(index: number): string {
  return index % UNIQUE_PROMPT_EVERY === UNIQUE_PROMPT_EVERY - 1 ? `drill question #${index}` : `drill question ${index % PROMPT_POOL}`;
}

/** Classifies a router answer: step from `servedBy` and `fallbackDepth`. */
export function stepOf(servedBy: string, fallbackDepth: number): DrillStep {
  if (servedBy === 'cache') return 'cache';
  if (servedBy === 'default') return 'default';
  return fallbackDepth === 0 ? 'primary' : 'secondary';
}
