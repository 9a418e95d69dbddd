/**
 * Runs scenarios on real time: per scenario a fresh HTTP mock and a fresh `bulwark serve`
 * process (so no breaker state or cache carries over), real sockets, the system clock.
 */
import { startRealTarget } from './real-target.js';
import { runScenario, type DrillPlan, type ScenarioResult } from './run-scenario.js';
import type { DrillScenario } from './scenarios.js';
import type { TopologyOptions } from './topology.js';

export interface RealDrillOptions {
  topology?: TopologyOptions;
  /** The gateways' output is appended here. */
  logFile?: string;
  /** Seed of the mocks' random sources. Default 1. */
  seed?: number;
  onStart?: (scenario: DrillScenario) => void;
  onResult?: (result: ScenarioResult) => void;
}

/** Runs `scenarios` in order on real time. */
export async function runRealDrill(scenarios: readonly DrillScenario[], plan: DrillPlan, options: RealDrillOptions = {}): Promise<ScenarioResult[]> {
  const results: ScenarioResult[] = [];
  for (const scenario of scenarios) {
    options.onStart?.(scenario);
    const target = await startRealTarget({ timings: plan.timings, topology: options.topology, logFile: options.logFile, seed: options.seed });
    try {
      const result = await runScenario(scenario, target, plan);
      options.onResult?.(result);
      results.push(result);
    } finally {
      await target.close();
    }
  }
  return results;
}
