import { describe, expect, it } from 'vitest';
import { DEFAULT_DRILL_SEED, DEFAULT_VIRTUAL_DURATION_MS, DEFAULT_VIRTUAL_RATE, drillPlan } from './plan.js';
import { formatFailures, formatMatrix } from './report.js';
import type { ScenarioResult } from './run-scenario.js';
import { runVirtualDrill, runVirtualScenario } from './run-virtual.js';
import { DRILL_SCENARIOS, selectScenarios } from './scenarios.js';
import { BEDROCK, deploymentsOfVendor, GEMINI, PRIMARY_EAST, PRIMARY_WEST } from './topology.js';

const plan = drillPlan(DEFAULT_VIRTUAL_DURATION_MS, DEFAULT_VIRTUAL_RATE);
const byName = (results: ScenarioResult[], name: string) => results.find((r) => r.scenario === name)!;
const served = (r: ScenarioResult, ids: readonly string[]) => ids.reduce((sum, id) => sum + (r.figures.byDeployment[id] ?? 0), 0);

describe('bulwark drill on virtual time (in-process mock + router + load, one FakeClock)', () => {
  it('passes every built-in scenario, with the behaviour each one is about', async () => {
    const results = await runVirtualDrill(DRILL_SCENARIOS, DEFAULT_DRILL_SEED, plan);
    console.log(`drill matrix, virtual time, seed ${DEFAULT_DRILL_SEED}:\n${formatMatrix(results)}`);
    const failures = results.filter((r) => !r.passed).map(formatFailures).join('\n');
    expect(failures, `replay with: bulwark drill --virtual --seed ${DEFAULT_DRILL_SEED} <scenario>`).toBe('');
    expect(results.map((r) => r.scenario)).toEqual(DRILL_SCENARIOS.map((s) => s.name));

    for (const r of results) {
      expect(r.figures.lost, r.scenario).toBe(0);
      expect(r.figures.sent, r.scenario).toBe((plan.warmupMs + plan.faultMs + plan.recoveryMs) / 1000 * plan.rate);
    }
    // A primary outage is carried by the secondary model, then the primary serves again.
    const outage = byName(results, 'primary-outage');
    expect(outage.figures.steps.secondary).toBeGreaterThan(0);
    expect(outage.figures.rtoMs).toBeLessThanOrEqual(plan.timings.breakerOpenMs + 5_000);
    // Losing the preferred region moves traffic to the other region of the same model (tier 1).
    const region = byName(results, 'region-loss');
    expect(region.figures.byDeployment[PRIMARY_WEST]).toBeGreaterThan(0);
    expect(region.figures.steps.secondary).toBe(0);
    // With every model down, only the stale cache and the default answer remain.
    const down = byName(results, 'all-models-down');
    expect(down.figures.steps.cache).toBeGreaterThan(0);
    expect(down.figures.steps.default).toBeGreaterThan(0);
    expect(down.figures.degradedShare).toBeGreaterThan(0.3);
    // A hanging primary is detected once attempts time out, never later than the request deadline.
    const hang = byName(results, 'primary-hang');
    expect(hang.figures.ttdMs).toBeGreaterThanOrEqual(plan.timings.attemptTimeoutMs);
    expect(hang.figures.latency.maxMs).toBeLessThan(plan.requestTimeoutMs);
    // A whole vendor down: every OpenAI deployment fails, AWS Bedrock carries the route (its event
    // stream translated to the client's SSE); with Bedrock down too, Gemini does.
    const vendor = byName(results, 'vendor-outage');
    expect(vendor.figures.byDeployment[BEDROCK]).toBeGreaterThan(plan.faultMs / 1000 * plan.rate * 0.8);
    expect(vendor.figures.byDeployment[GEMINI]).toBeUndefined();
    expect(vendor.figures.rtoMs).toBeLessThanOrEqual(plan.timings.breakerOpenMs + 5_000);
    const twoVendors = byName(results, 'two-vendor-outage');
    expect(twoVendors.figures.byDeployment[GEMINI]).toBeGreaterThan(plan.faultMs / 1000 * plan.rate * 0.8);
    expect(twoVendors.figures.byDeployment[BEDROCK]).toBeUndefined();
    // The restart lost nothing and the preferred region answered right after it.
    expect(served(byName(results, 'gateway-restart'), PRIMARY_EAST)).toBe(plan.rate * (plan.warmupMs + plan.faultMs + plan.recoveryMs) / 1000);
    // Eleven simulated 150 s runs: CPU work, no wall-clock waits; ~20 s on a busy 2-core machine.
  }, 120_000);

  it('replays exactly from its seed; another seed draws differently', async () => {
    const [scenario] = selectScenarios(['primary-outage']);
    const first = await runVirtualScenario(scenario, 42, plan);
    const again = await runVirtualScenario(scenario, 42, plan);
    expect(again).toEqual(first);
    const other = await runVirtualScenario(scenario, 43, plan);
    expect(other.figures.byDeployment).not.toEqual(first.figures.byDeployment);
  });

  it('fails the primary outage when the chain has no secondary and no cache or default answer', async () => {
    const [scenario] = selectScenarios(['primary-outage']);
    const broken = await runVirtualScenario(scenario, DEFAULT_DRILL_SEED, plan, { withoutSecondary: true, withoutLastResorts: true });
    expect(broken.passed).toBe(false);
    const failed = broken.checks.filter((c) => !c.ok).map((c) => c.name);
    expect(failed).toEqual(expect.arrayContaining(['availability', 'error budget used', 'served by secondary']));
    expect(broken.figures.steps.error).toBeGreaterThan(0);
    expect(broken.figures.lost).toBe(0); // failures are clear errors, not hangs
  });

  it('fails the vendor outage when the chain stays with one vendor (no cross-cloud steps)', async () => {
    const [scenario] = selectScenarios(['vendor-outage']);
    expect(deploymentsOfVendor('openai')).toEqual(['primary-east-1', 'primary-east-2', 'primary-west-1', 'secondary-1']);
    const single = await runVirtualScenario(scenario, DEFAULT_DRILL_SEED, plan, { crossCloud: false });
    expect(single.passed).toBe(false);
    expect(single.checks.filter((c) => !c.ok).map((c) => c.name)).toContain(`served by ${BEDROCK}`);
    // Only the last resorts were left: the cache and the default answer carried the outage.
    expect(single.figures.steps.cache + single.figures.steps.default).toBeGreaterThan(0);
  });

  it('rejects an unknown scenario, naming the known ones', () => {
    expect(() => selectScenarios(['nope'])).toThrow(/unknown scenario 'nope' \(scenarios: primary-outage, /);
  });
});
