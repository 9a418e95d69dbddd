/**
 * Runs scenarios on virtual time: per scenario a fresh FakeClock, in-process mock and router,
 * seeded from the drill's seed and the scenario's name, with this function moving the clock.
 */
import { runScenario, type DrillPlan, type ScenarioResult } from './run-scenario.js';
import type { DrillScenario } from './scenarios.js';
import { scenarioSeed } from './plan.js';
import type { TopologyOptions } from './topology.js';
import { createVirtualTarget } from './virtual-target.js';

/** Virtual time moves in steps of this many ms (timers inside a step still fire in order). */
export const VIRTUAL_STEP_MS = 100;

/** Runs one scenario on virtual time; the same `seed` gives the same result. */
export async function runVirtualScenario(scenario: DrillScenario, seed: number, plan: DrillPlan, topology?: TopologyOptions, signal?: AbortSignal): Promise<ScenarioResult> {
  const own = scenarioSeed(seed, scenario.name);
  const target = createVirtualTarget({ seed: own, timings: plan.timings, topology: { ...scenario.topology, ...topology } });
  // Past this much virtual time something never ends: fail instead of spinning.
  const limitMs = plan.warmupMs + plan.faultMs + plan.recoveryMs + 4 * plan.requestTimeoutMs;
  const origin = target.clock.now();
  let settled = false;
  const run = runScenario(scenario, target, plan, signal).finally(() => {
    settled = true;
  });
  try {
    while (!settled) {
      if (target.clock.now() - origin > limitMs) throw new Error(`drill '${scenario.name}' (seed ${seed}) did not finish within ${limitMs} ms of virtual time`);
      await target.clock.advance(VIRTUAL_STEP_MS);
    }
    return { ...(await run), seed };
  } finally {
    await target.close();
  }
}

/** Runs `scenarios` in order on virtual time; stopping `signal` drops the scenario in progress. */
export async function runVirtualDrill(scenarios: readonly DrillScenario[], seed: number, plan: DrillPlan, options: { topology?: TopologyOptions; onResult?: (result: ScenarioResult) => void; signal?: AbortSignal } = {}): Promise<ScenarioResult[]> {
  const results: ScenarioResult[] = [];
  for (const scenario of scenarios) {
    if (options.signal?.aborted) break;
    const result = await runVirtualScenario(scenario, seed, plan, options.topology, options.signal);
    if (options.signal?.aborted) break;
    options.onResult?.(result);
    results.push(result);
  }
  return results;
}
