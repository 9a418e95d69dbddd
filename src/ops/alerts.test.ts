import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../core/fake-clock.js';
import type { OpsConfig } from './config.js';
import type { Ops } from './ops.js';
import { createOps } from './ops.js';
import { attemptEvent, breakerEvent, CapturingSink, ejectionEvent, failedRequest, requestEvent, silentLogger } from './test-events.js';

const topology: OpsConfig['topology'] = {
  groups: { gpt4: ['openai-east', 'azure-west'], claude: ['anthropic-main'] },
  routes: { 'gpt-4': { chain: ['gpt4', 'claude'] } },
};

let ops: Ops | undefined;
afterEach(() => ops?.close());

function setup(extra: OpsConfig['alerts'] = {}) {
  const clock = new FakeClock();
  const sink = new CapturingSink();
  ops = createOps({ topology, alerts: { sinks: [], evaluateEvery: '10s', ...extra } }, { clock, logger: silentLogger, sinks: [sink] });
  return { clock, sink, ops };
}

/** Sends `perSecond` requests each second for `seconds`, `errorEvery`-th failing (0: none). */
async function traffic(clock: FakeClock, o: Ops, seconds: number, perSecond: number, errorEvery: number, durationMs = 200) {
  for (let s = 0; s < seconds; s++) {
    for (let i = 0; i < perSecond; i++) {
      const n = s * perSecond + i;
      const failed = errorEvery > 0 && n % errorEvery === 0;
      o.observe.attempt(attemptEvent(clock.now(), { ok: !failed, errorKind: failed ? 'server_error' : undefined, durationMs }));
      o.observe.request(failed ? failedRequest(clock.now(), { durationMs }) : requestEvent(clock.now(), { durationMs }));
    }
    await clock.advance(1000);
  }
}

describe('alert rules on virtual time', () => {
  it('dependency_down: fires once while the shared-state Redis is unreachable and resolves when it is back', async () => {
    const { clock, sink, ops } = setup({ repeatInterval: '1h' });
    ops.observe.dependency('redis', false, 'connection closed');
    await clock.advance(60_000);
    expect(ops.alerts.active().map((a) => a.id)).toEqual(['dependency_down:redis']);
    expect(await ops.metricsText()).toMatch(/bulwark_dependency_up\{dependency="redis"\} 0/);
    ops.observe.dependency('redis', true);
    await clock.advance(20_000);
    await ops.alerts.flush();
    const sent = sink.received.filter((n) => n.rule === 'dependency_down').map((n) => n.state);
    expect(sent).toEqual(['firing', 'resolved']);
    expect(await ops.metricsText()).toMatch(/bulwark_dependency_up\{dependency="redis"\} 1/);
  });

  it('stays silent on healthy traffic', async () => {
    const { clock, sink, ops } = setup();
    await traffic(clock, ops, 600, 5, 0);
    await ops.alerts.flush();
    expect(sink.received).toEqual([]);
    expect(ops.alerts.active()).toEqual([]);
  });

  it('an error burst raises error_rate exactly once, then a resolved message after recovery', async () => {
    const { clock, sink, ops } = setup({ repeatInterval: '1h' });
    await traffic(clock, ops, 60, 5, 0);
    await traffic(clock, ops, 60, 5, 4); // 25 % errors for a minute
    await ops.alerts.flush();
    const firing = sink.of('error_rate').filter((n) => n.state === 'firing');
    expect(firing.map((n) => n.subject).sort()).toEqual(['group/gpt4', 'route/gpt-4']);
    expect(firing.every((n) => !n.repeat)).toBe(true);
    // What users see is critical; what the deployments failed (and fallbacks absorbed) is a warning.
    expect(firing.map((n) => [n.subject, n.severity, n.labels.seen_by]).sort()).toEqual([['group/gpt4', 'warning', 'fallbacks'], ['route/gpt-4', 'critical', 'users']]);
    expect(ops.alerts.active().map((a) => a.id)).toContain('error_rate:route/gpt-4');

    await traffic(clock, ops, 400, 5, 0); // healthy again; the 5-min window forgets the burst
    await ops.alerts.flush();
    const route = sink.of('error_rate').filter((n) => n.subject === 'route/gpt-4');
    expect(route.map((n) => n.state)).toEqual(['firing', 'resolved']);
    expect(route[1].endsAt).toBeDefined();
    expect(ops.alerts.active().filter((a) => a.rule === 'error_rate')).toEqual([]);
    expect(ops.alerts.timeline().filter((n) => n.subject === 'route/gpt-4').map((n) => n.state)).toEqual(['firing', 'resolved']);
  });

  it('needs minRequests before the error rate may fire', async () => {
    const { clock, sink, ops } = setup({ minRequests: 50 });
    await traffic(clock, ops, 9, 5, 2); // 45 requests, half failing
    await ops.alerts.flush();
    expect(sink.of('error_rate')).toEqual([]);
  });

  it('repeats a still-active alert no more often than the repeat interval', async () => {
    const { clock, sink, ops } = setup({ repeatInterval: '2m' });
    ops.observe.breaker(breakerEvent(clock.now(), 'openai-east', 'open'));
    await clock.advance(5 * 60_000 + 1); // 30 ticks of 10 s while the breaker stays open
    await ops.alerts.flush();
    const sent = sink.of('breaker_opened');
    expect(sent.map((n) => n.repeat)).toEqual([false, true, true]);
    const times = sent.map((n) => Date.parse(n.at));
    expect(times[1] - times[0]).toBeGreaterThanOrEqual(120_000);
    expect(times[2] - times[1]).toBeGreaterThanOrEqual(120_000);
  });

  it('an opened breaker raises breaker_opened, and its closing resolves it', async () => {
    const { clock, sink, ops } = setup();
    ops.observe.breaker(breakerEvent(clock.now(), 'azure-west', 'open'));
    await clock.advance(10_000);
    await ops.alerts.flush();
    expect(sink.of('breaker_opened').map((n) => [n.subject, n.state, n.severity])).toEqual([['azure-west', 'firing', 'warning']]);
    ops.observe.breaker(breakerEvent(clock.now(), 'azure-west', 'closed'));
    await clock.advance(10_000);
    await ops.alerts.flush();
    expect(sink.of('breaker_opened').map((n) => n.state)).toEqual(['firing', 'resolved']);
  });

  it('a breaker that opens and closes between two ticks still alerts once', async () => {
    const { clock, sink, ops } = setup();
    ops.observe.breaker(breakerEvent(clock.now(), 'openai-east', 'open'));
    await clock.advance(2000);
    ops.observe.breaker(breakerEvent(clock.now(), 'openai-east', 'closed'));
    await clock.advance(30_000);
    await ops.alerts.flush();
    expect(sink.of('breaker_opened').map((n) => n.state)).toEqual(['firing', 'resolved']);
  });

  it('losing every deployment of the primary group raises primary_unavailable (breaker + ejection)', async () => {
    const { clock, sink, ops } = setup();
    ops.observe.breaker(breakerEvent(clock.now(), 'openai-east', 'open'));
    await clock.advance(10_000);
    expect(sink.of('primary_unavailable')).toEqual([]); // one of two still usable
    ops.observe.ejection(ejectionEvent(clock.now(), 'azure-west', true));
    await clock.advance(10_000);
    await ops.alerts.flush();
    const fired = sink.of('primary_unavailable');
    expect(fired.map((n) => [n.subject, n.state])).toEqual([['gpt4', 'firing']]);
    expect(fired[0].labels.routes).toBe('gpt-4');
    // The fallback group going down is not "primary unavailable".
    ops.observe.breaker(breakerEvent(clock.now(), 'anthropic-main', 'open', 'claude'));
    ops.observe.ejection(ejectionEvent(clock.now(), 'azure-west', false));
    await clock.advance(10_000);
    await ops.alerts.flush();
    expect(sink.of('primary_unavailable').map((n) => n.state)).toEqual(['firing', 'resolved']);
  });

  it('p95 latency above the threshold raises latency_p95', async () => {
    const { clock, sink, ops } = setup({ latencyP95ThresholdMs: 1000 });
    await traffic(clock, ops, 30, 5, 0, 300);
    expect(sink.of('latency_p95')).toEqual([]);
    await traffic(clock, ops, 120, 5, 0, 2500);
    await ops.alerts.flush();
    const fired = sink.of('latency_p95');
    expect(fired.map((n) => [n.subject, n.state])).toEqual([['route/gpt-4', 'firing']]);
    expect(fired[0].value).toBeGreaterThan(2400);
  });

  it('a sustained outage burns the availability budget and fires the 1h/5m page', async () => {
    const { clock, sink, ops } = setup({ rules: { errorRate: false }, repeatInterval: '6h' });
    await traffic(clock, ops, 600, 1, 0);
    expect(sink.of('slo_burn_rate')).toEqual([]);
    await traffic(clock, ops, 600, 1, 5); // 20 % errors: 40x burn on a 0.5 % budget
    await ops.alerts.flush();
    const subjects = sink.of('slo_burn_rate').filter((n) => n.state === 'firing').map((n) => n.subject);
    expect(subjects).toContain('gpt-4/availability/1h-5m');
    expect(subjects).toContain('gpt-4/availability/6h-30m');
    expect(subjects.some((s) => s.includes('/latency/'))).toBe(false);
  });

  it('alerts can be switched off', async () => {
    const { clock, sink, ops } = setup({ enabled: false });
    ops.observe.breaker(breakerEvent(clock.now(), 'openai-east', 'open'));
    await clock.advance(60_000);
    expect(sink.received).toEqual([]);
    expect(clock.pendingTimers).toBe(0);
  });
});
