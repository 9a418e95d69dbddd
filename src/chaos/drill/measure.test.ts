import { describe, expect, it } from 'vitest';
import type { LatencySummary } from '../load/recorder.js';
import { check, measure, secondsOf, type DrillSample, type FaultWindow } from './measure.js';
import { DRILL_SCENARIOS, DEFAULT_DRILL_SLO } from './scenarios.js';
import { DEFAULT_VIRTUAL_DURATION_MS, drillPlan, MIN_DRILL_DURATION_MS, scenarioSeed } from './plan.js';

const latency: LatencySummary = { count: 0, avgMs: 0, minMs: 0, medMs: 0, p90Ms: 0, p95Ms: 0, p99Ms: 120, maxMs: 0 };
const window: FaultWindow = { startMs: 10_000, endMs: 20_000, faulted: ['east-1'], recoveredBy: ['east-1'], breakerOpens: [] };
const ok = (sentAt: number, endedAt: number, servedBy: string, step: DrillSample['step'] = 'primary'): DrillSample => ({ sentAt, endedAt, servedBy, step, status: 200 });

describe('drill measurement (definitions of lost, TTD, RTO, error budget)', () => {
  it('counts steps, lost requests, availability and the error budget against the SLO', () => {
    const samples: DrillSample[] = [
      ...Array.from({ length: 196 }, (_, i) => ok(i * 10, i * 10 + 5, 'east-1')),
      ok(2000, 2001, 'cache', 'cache'),
      { sentAt: 2100, endedAt: 2200, step: 'error', status: 503, error: 'http_503' },
      { sentAt: 2300, endedAt: 17_300, step: 'lost', status: 0, error: 'timeout' },
      ok(2400, 2401, 'default', 'default'),
    ];
    const f = measure(samples, window, latency, 0.99);
    expect(f.sent).toBe(200);
    expect(f.steps).toEqual({ primary: 196, secondary: 0, cache: 1, default: 1, error: 1, lost: 1 });
    expect(f.lost).toBe(1);
    expect(f.availability).toBe(198 / 200);
    expect(f.degradedShare).toBe(2 / 200);
    expect(f.errorBudgetUsed).toBeCloseTo(2 / (0.01 * 200)); // the whole budget of 1%
    expect(check(f, { maxLost: 0 })).toEqual([{ name: 'lost', target: '<= 0', observed: '1', ok: false }]);
  });

  it('detects at the first breaker open or the first answer from outside the faulted deployments, whichever is first', () => {
    const samples = [ok(9_000, 9_500, 'west-1'), ok(10_100, 10_200, 'east-1'), ok(10_300, 12_000, 'west-1')];
    expect(measure(samples, window, latency, DEFAULT_DRILL_SLO).ttdMs).toBe(2_000); // the answer before the fault does not count
    expect(measure(samples, { ...window, breakerOpens: [9_000, 11_500] }, latency, DEFAULT_DRILL_SLO).ttdMs).toBe(1_500);
    expect(measure([ok(10_100, 10_200, 'east-1')], window, latency, DEFAULT_DRILL_SLO).ttdMs).toBeNull();
    // A broken stream continued elsewhere is a detection too (seen in-process).
    expect(measure([{ ...ok(10_100, 10_400, 'east-1'), continuedBy: 'west-1' }], window, latency, DEFAULT_DRILL_SLO).ttdMs).toBe(400);
  });

  it('recovers at the first answer from a recovering deployment to a request sent after the fault ended', () => {
    const samples = [
      ok(19_000, 20_500, 'east-1'), // sent during the fault: does not count
      ok(20_100, 21_000, 'west-1'), // not a recovering deployment
      ok(23_000, 23_050, 'east-1'),
      { sentAt: 24_000, endedAt: 24_010, step: 'error' as const, status: 502 },
    ];
    expect(measure(samples, window, latency, DEFAULT_DRILL_SLO).rtoMs).toBe(3_050);
    expect(measure(samples, { ...window, rtoFromMs: 10_000 }, latency, DEFAULT_DRILL_SLO).rtoMs).toBe(13_050);
    expect(measure(samples.slice(0, 2), window, latency, DEFAULT_DRILL_SLO).rtoMs).toBeNull();
  });

  it('checks every declared target, naming target and observed value', () => {
    const f = measure([ok(20_100, 20_200, 'east-1'), ok(10_100, 10_300, 'secondary-1', 'secondary')], window, latency, DEFAULT_DRILL_SLO);
    const checks = check(f, { maxLost: 0, minAvailability: 0.995, maxErrorBudgetUsed: 1, maxTtdMs: 100, maxRtoMs: 1_000, maxP99Ms: 100, mustServe: ['secondary', 'default', 'east-1'] });
    expect(checks.map((c) => [c.name, c.ok])).toEqual([
      ['lost', true], ['availability', true], ['error budget used', true], ['time to detect', false],
      ['time to recover', true], ['p99 latency', false], ['served by secondary', true], ['served by default', false], ['served by east-1', true],
    ]);
    expect(checks[3]).toEqual({ name: 'time to detect', target: '<= 100 ms', observed: '300 ms', ok: false });
  });

  it('buckets samples per second of send time for the charts', () => {
    const seconds = secondsOf([ok(100, 150, 'a'), ok(900, 1000, 'a'), { sentAt: 2500, endedAt: 2600, step: 'error', status: 500 }]);
    expect(seconds.map((s) => [s.second, s.steps.primary, s.steps.error, s.p99Ms])).toEqual([[0, 2, 0, 100], [1, 0, 0, 0], [2, 0, 1, 100]]);
  });
});

describe('drill plans and scenarios', () => {
  it('splits a scenario 20/40/40 and scales the breaker open period (defaults pinned)', () => {
    expect(drillPlan(DEFAULT_VIRTUAL_DURATION_MS, 10)).toEqual({
      warmupMs: 30_000, faultMs: 60_000, recoveryMs: 60_000, rate: 10, requestTimeoutMs: 15_000, slo: 0.995,
      timings: { breakerOpenMs: 22_500, attemptTimeoutMs: 2_000, totalTimeoutMs: 10_000 },
    });
    expect(drillPlan(1_000_000, 1).timings.breakerOpenMs).toBe(60_000);
    expect(() => drillPlan(MIN_DRILL_DURATION_MS - 1, 10)).toThrow(/drill duration: expected >= 20000 ms, got 19999/);
    expect(() => drillPlan(30_000, 0)).toThrow(/drill rate: expected > 0, got 0/);
  });

  it('keeps each scenario\'s RTO target inside its recovery window for every allowed duration', () => {
    for (const duration of [MIN_DRILL_DURATION_MS, 30_000, DEFAULT_VIRTUAL_DURATION_MS]) {
      const plan = drillPlan(duration, 10);
      for (const s of DRILL_SCENARIOS) {
        const rto = s.targets(plan.timings).maxRtoMs;
        if (rto !== undefined && s.fault.kind === 'mock') expect(rto, `${s.name} at ${duration}`).toBeLessThanOrEqual(plan.recoveryMs);
      }
    }
  });

  it('derives a stable seed per scenario (a scenario replays alone with the drill seed)', () => {
    expect(scenarioSeed(1, 'primary-outage')).toBe(scenarioSeed(1, 'primary-outage'));
    expect(scenarioSeed(1, 'primary-outage')).not.toBe(scenarioSeed(2, 'primary-outage'));
    expect(scenarioSeed(1, 'primary-outage')).not.toBe(scenarioSeed(1, 'region-loss'));
  });
});
