/**
 * Runs scenarios on real time: per scenario a fresh HTTP mock and a fresh `bulwark serve`
 * process (so no breaker state or cache carries over), real sockets, the system clock.
 */
import { startRealTarget } from './real-target.js';
import { runScenario, type DrillPlan, type ScenarioResult } from './run-scenario.js';
import type { DrillScenario } from './scenarios.js';
import type { TopologyOptions } from './topology.js';

/** Gateways behind the local balancer in the `replica-kill` scenario (one is killed). */
export const REPLICA_KILL_REPLICAS = 3;

export interface RealDrillOptions {
  topology?: TopologyOptions;
  /** The gateways' output is appended here. */
  logFile?: string;
  /** Seed of the mocks' random sources. Default 1. */
  seed?: number;
  onStart?: (scenario: DrillScenario) => void;
  onResult?: (result: ScenarioResult) => void;
  /** Stops the drill (Ctrl-C): the running scenario's load stops, its gateway and mock are closed, and its partial result is dropped. */
  signal?: AbortSignal;
}

/** Runs `scenarios` in order on real time; returns the results of the scenarios that ran to their end. */
export async function runRealDrill(scenarios: readonly DrillScenario[], plan: DrillPlan, options: RealDrillOptions = {}): Promise<ScenarioResult[]> {
  const results: ScenarioResult[] = [];
  for (const scenario of scenarios) {
    if (options.signal?.aborted) break;
    options.onStart?.(scenario);
    const replicas = scenario.fault.kind === 'replica-kill' ? REPLICA_KILL_REPLICAS : 1;
    const target = await startRealTarget({ timings: plan.timings, topology: { ...scenario.topology, ...options.topology }, logFile: options.logFile, seed: options.seed, replicas });
    try {
      const result = await runScenario(scenario, target, plan, options.signal);
      if (options.signal?.aborted) break;
      options.onResult?.(result);
      results.push(result);
    } finally {
      await target.close();
    }
  }
  return results;
}
