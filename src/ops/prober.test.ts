import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../core/fake-clock.js';
import { sleep } from '../core/clock.js';
import type { Ops } from './ops.js';
import { createOps } from './ops.js';
import type { ProbeResult } from './prober.js';
import { Prober } from './prober.js';
import { silentLogger } from './test-events.js';

let ops: Ops | undefined;
afterEach(() => ops?.close());

describe('active health probes', () => {
  it('probes every deployment each interval, records pass/fail into health and uptime, and emits results', async () => {
    const clock = new FakeClock();
    const failing = new Set<string>();
    const calls: string[] = [];
    ops = createOps(
      { topology: { groups: { gpt4: ['a', 'b'] } }, probes: { interval: '30s' }, alerts: { enabled: false } },
      {
        clock, logger: silentLogger,
        probe: async (id) => {
          calls.push(id);
          if (failing.has(id)) throw Object.assign(new Error('upstream said no'), { kind: 'server_error' });
        },
      },
    );
    const results: ProbeResult[] = [];
    ops.onProbe!((r) => results.push(r));
    await clock.advance(30_000);
    expect(calls.sort()).toEqual(['a', 'b']);
    expect(results.every((r) => r.ok)).toBe(true);

    failing.add('b');
    await clock.advance(30_000);
    const bad = results.filter((r) => !r.ok);
    expect(bad.map((r) => [r.deployment, r.errorKind])).toEqual([['b', 'server_error']]);
    expect(ops.deployments().find((d) => d.id === 'b')).toMatchObject({ probeOk: false, lastErrorKind: 'server_error' });
    expect(await ops.metricsText()).toMatch(/bulwark_deployment_up\{group="gpt4",deployment="b"\} 0/);
    const health = ops.health({ routes: [{ name: 'gpt-4', groups: [{ name: 'gpt4', deployments: [{ id: 'a', breaker: 'closed', ejected: false }, { id: 'b', breaker: 'closed', ejected: false }] }] }] });
    expect(health.status).toBe('warn');
    expect(health.checks['b:probe'][0]).toMatchObject({ status: 'warn', observedValue: false, output: 'last probe failed: server_error' });
    expect(health.checks['a:probe'][0]).toMatchObject({ status: 'pass', observedValue: true });
    expect(JSON.stringify(health)).not.toContain('upstream said no'); // kinds only, never messages

    failing.delete('b');
    await clock.advance(30_000); // b down from t=60 s to t=90 s
    const uptime = ops.sla().deployments.b.uptimePercent!;
    expect(uptime['1m']).toBeCloseTo(50, 6);
    expect(ops.deployments().find((d) => d.id === 'b')!.probeOk).toBe(true);
  });

  it('times a hanging probe out on the clock and aborts its signal', async () => {
    const clock = new FakeClock();
    let aborted = false;
    const prober = new Prober(clock, {
      intervalMs: 10_000,
      timeoutMs: 2_000,
      deployments: () => ['slow'],
      probe: (_id, signal) => {
        signal.addEventListener('abort', () => (aborted = true));
        return sleep(clock, 60_000, signal);
      },
    });
    const pending = prober.runOnce();
    await clock.advance(2_000);
    const [result] = await pending;
    expect(result).toMatchObject({ deployment: 'slow', ok: false, errorKind: 'timeout', durationMs: 2_000 });
    expect(aborted).toBe(true);
    prober.stop();
    expect(clock.pendingTimers).toBe(0);
  });
});
