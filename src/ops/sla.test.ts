import { describe, expect, it } from 'vitest';
import { FakeClock } from '../core/fake-clock.js';
import { LatencyRing } from './latency-ring.js';
import { SlaTracker } from './sla.js';
import { UptimeTracker } from './uptime.js';

/** Exact nearest-rank percentile of a sorted array. */
const percentile = (sorted: number[], p: number) => sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)];

describe('SLA windows', () => {
  it('percentiles, average, availability and throughput match known data (within HDR precision)', () => {
    const clock = new FakeClock();
    const sla = new SlaTracker(new UptimeTracker());
    const values: number[] = [];
    // 1..2000 ms shuffled deterministically, every 20th an error, spread over 50 s.
    for (let i = 0; i < 2000; i++) values.push(((i * 7919) % 2000) + 1);
    values.forEach((v, i) => sla.record('routes', 'r', clock.now() + Math.floor(i / 40) * 1000, i % 20 !== 0, v));
    const now = clock.now() + 49_000;
    const f = sla.figures('routes', 'r', '1m', now);
    const sorted = [...values].sort((a, b) => a - b);
    expect(f.requests).toBe(2000);
    expect(f.errors).toBe(100);
    expect(f.availabilityPercent).toBeCloseTo(95, 10);
    expect(f.errorRate).toBeCloseTo(0.05, 10);
    expect(f.avgMs).toBeCloseTo(1000.5, 6);
    for (const [p, got] of [[50, f.p50Ms], [95, f.p95Ms], [99, f.p99Ms]] as const) {
      expect(Math.abs(got! - percentile(sorted, p)) / percentile(sorted, p)).toBeLessThan(0.01);
    }
    expect(f.throughputRps).toBeCloseTo(2000 / 60, 10);
  });

  it('forgets data as the window rolls, per window length', () => {
    const ring = new LatencyRing(10_000, 30, [6, 30]);
    const t0 = Date.UTC(2026, 0, 1);
    ring.record(t0, false, 5000);
    for (let i = 1; i <= 10; i++) ring.record(t0 + 30_000, true, 100);
    expect(ring.window(0, t0 + 30_000).count).toBe(11);
    // 60 s later the first bucket has left the 1-min window but not the 5-min one.
    expect(ring.window(0, t0 + 60_000).count).toBe(10);
    expect(ring.window(0, t0 + 60_000).errors).toBe(0);
    expect(ring.window(0, t0 + 60_000).histogram.maxValue).toBeLessThan(200);
    expect(ring.window(1, t0 + 60_000).count).toBe(11);
    expect(ring.window(1, t0 + 60_000).errors).toBe(1);
    // Far in the future: both empty, and recording resumes cleanly.
    expect(ring.window(1, t0 + 3_600_000).count).toBe(0);
    ring.record(t0 + 3_600_000, true, 42);
    expect(ring.window(1, t0 + 3_600_000).histogram.getValueAtPercentile(50)).toBe(42);
  });

  it('reports per deployment, group and route, with uptime for deployments', () => {
    const clock = new FakeClock();
    const uptime = new UptimeTracker();
    const sla = new SlaTracker(uptime);
    const t0 = clock.now();
    uptime.touch('d1', t0);
    sla.record('deployments', 'd1', t0, true, 100);
    sla.record('groups', 'g', t0, true, 100);
    sla.record('routes', 'r', t0, false, 300);
    uptime.set('d1', false, t0 + 30_000); // down for 15 s of the first minute
    uptime.set('d1', true, t0 + 45_000);
    const report = sla.report(t0 + 60_000);
    expect(Object.keys(report.deployments)).toEqual(['d1']);
    expect(report.groups.g.windows['5m'].requests).toBe(1);
    expect(report.routes.r.windows['5m'].availabilityPercent).toBe(0);
    expect(report.deployments.d1.uptimePercent!['1m']).toBeCloseTo(75, 6);
    expect(report.deployments.d1.uptimePercent!['1h']).toBeCloseTo(75, 6); // measured since first seen
    expect(report.windowsMs).toEqual({ '1m': 60_000, '5m': 300_000, '1h': 3_600_000 });
    expect(JSON.parse(JSON.stringify(report))).toEqual(report);
  });
});

describe('UptimeTracker', () => {
  it('integrates down time inside the window, including a state that began before it', () => {
    const u = new UptimeTracker();
    const t0 = 1_000_000;
    u.touch('d', t0);
    u.set('d', false, t0 + 10_000);
    // Still down at the end: the 60-s window ending at t0+100s is entirely down.
    expect(u.percent('d', t0 + 100_000, 60_000)).toBe(0);
    u.set('d', true, t0 + 100_000);
    expect(u.percent('d', t0 + 130_000, 60_000)).toBeCloseTo(50, 6);
    expect(u.percent('d', t0 + 130_000, 3_600_000)).toBeCloseTo(100 * (40_000 / 130_000), 6);
    expect(u.percent('unknown', t0, 60_000)).toBeNull();
  });

  it('stays bounded and correct when old transitions are overwritten', () => {
    const u = new UptimeTracker(4);
    const t0 = 0;
    u.touch('d', t0);
    for (let i = 1; i <= 10; i++) u.set('d', i % 2 === 0, t0 + i * 1000); // down at odd seconds, up at even
    // Last 4 s: down 7-8, up 8-9, down 9-10, up 10-11 → 50 %.
    expect(u.percent('d', 11_000, 4000)).toBeCloseTo(50, 6);
  });
});
