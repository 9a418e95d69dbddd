import { type Clock, sleep, systemClock } from '../../core/clock.js';
import { InjectedFaultError, InvalidOptionsError } from '../../core/errors.js';
import { EventEmitter } from '../../core/events.js';
import { Execution, invoke } from '../../core/execution.js';
import type { ExecuteContext, Operation, RunnablePolicy } from '../../core/policy.js';
import { defaultRandom, type RandomSource } from '../../core/random.js';

/**
 * In-process chaos for a core pipeline, in the spirit of Polly's Simmy: at `injectionRate`, a
 * call gets a fault (thrown error), extra latency, or a substituted outcome instead of (or
 * before) the real work. Switch it on and off at runtime with `enabled`. Put it innermost in a
 * pipeline so the policies around it see the injected behaviour as if the dependency did it.
 *
 * @example
 * const chaos = chaosFault({ injectionRate: 0.2, fault: () => new Error('injected 503') });
 * const guarded = pipeline(retry(), breaker, chaos);
 * chaos.enabled = false; // at runtime
 */
export type ChaosBehaviour<T> =
  | { kind: 'fault'; fault: (context: ExecuteContext) => unknown }
  | { kind: 'latency'; latencyMs: number | ((random: RandomSource) => number) }
  | { kind: 'outcome'; outcome: (context: ExecuteContext) => T | PromiseLike<T> };

/** Options shared by the chaos policies; defaults in {@link CHAOS_DEFAULTS}. */
export interface ChaosOptions {
  /** Share of calls affected, 0..1. Default 0.1. */
  injectionRate?: number;
  /** Start enabled. Default true. */
  enabled?: boolean;
  random?: RandomSource;
  clock?: Clock;
}

/** Defaults of {@link ChaosOptions}: injection rate 0.1, enabled. */
export const CHAOS_DEFAULTS = Object.freeze({ injectionRate: 0.1, enabled: true });

/** A policy that, at `injectionRate`, replaces or delays the call it wraps; build it with {@link chaosFault}, {@link chaosLatency} or {@link chaosOutcome}. */
export class ChaosPolicy<T = unknown> implements RunnablePolicy {
  /** Switch injection on or off at runtime. */
  enabled: boolean;
  private rate: number;
  private readonly random: RandomSource;
  private readonly clock: Clock;
  private readonly injected = new EventEmitter<{ kind: ChaosBehaviour<T>['kind']; attempt: number }>();
  /** Fires on each injection (for logs and experiment timelines). */
  readonly onInjected = this.injected.event;

  constructor(private readonly behaviour: ChaosBehaviour<T>, options: ChaosOptions = {}) {
    this.rate = validateRate(options.injectionRate ?? CHAOS_DEFAULTS.injectionRate);
    this.enabled = options.enabled ?? CHAOS_DEFAULTS.enabled;
    this.random = options.random ?? defaultRandom;
    this.clock = options.clock ?? systemClock;
    if (behaviour.kind === 'latency' && typeof behaviour.latencyMs === 'number' && !(behaviour.latencyMs >= 0)) {
      throw new InvalidOptionsError(`chaos latencyMs: expected >= 0, got ${behaviour.latencyMs}`);
    }
  }

  /** The share of calls affected, changeable at runtime. */
  get injectionRate(): number {
    return this.rate;
  }

  set injectionRate(rate: number) {
    this.rate = validateRate(rate);
  }

  execute<R>(operation: Operation<R>, signal?: AbortSignal): Promise<R> {
    return this.run(operation, Execution.root(undefined, signal));
  }

  async run<R>(operation: Operation<R>, context: ExecuteContext): Promise<R> {
    if (!this.enabled || this.rate === 0 || this.random() >= this.rate) return invoke(operation, context);
    if (this.injected.hasListeners) this.injected.emit({ kind: this.behaviour.kind, attempt: context.attempt });
    switch (this.behaviour.kind) {
      case 'fault':
        throw this.behaviour.fault(context);
      case 'latency': {
        const { latencyMs } = this.behaviour;
        await sleep(this.clock, typeof latencyMs === 'number' ? latencyMs : latencyMs(this.random), context.signal);
        return invoke(operation, context);
      }
      case 'outcome':
        return (await this.behaviour.outcome(context)) as unknown as R;
    }
  }
}

function validateRate(rate: number): number {
  if (!(rate >= 0 && rate <= 1)) throw new InvalidOptionsError(`chaos injectionRate: expected a number in [0, 1], got ${rate}`);
  return rate;
}

/** Throws `fault(context)` (default: an InjectedFaultError) at `injectionRate`. */
export function chaosFault(options: ChaosOptions & { fault?: (context: ExecuteContext) => unknown } = {}): ChaosPolicy {
  return new ChaosPolicy({ kind: 'fault', fault: options.fault ?? (() => new InjectedFaultError()) }, options);
}

/** Adds `latencyMs` (a number, or a function of the random source) before the real call at `injectionRate`. */
export function chaosLatency(options: ChaosOptions & { latencyMs: number | ((random: RandomSource) => number) }): ChaosPolicy {
  return new ChaosPolicy({ kind: 'latency', latencyMs: options.latencyMs }, options);
}

/** Returns `outcome(context)` instead of calling the real operation at `injectionRate`. */
export function chaosOutcome<T>(options: ChaosOptions & { outcome: (context: ExecuteContext) => T | PromiseLike<T> }): ChaosPolicy<T> {
  return new ChaosPolicy<T>({ kind: 'outcome', outcome: options.outcome }, options);
}
