import { afterEach, describe, expect, it } from 'vitest';
import { DOWN, setFaults, startTestGateway, testConfigYaml } from '../../../test/gateway/helpers.js';
import type { Gateway } from '../gateway.js';
import { DEFAULT_PROBE_FAILURES_TO_ISOLATE } from './probe-isolation.js';

// Active probes feed routing: a deployment that fails its probes is isolated through the
// router's controls and released by its first passing probe. Real prober, real mock, 100-ms rounds.

const breakerOf = (gateway: Gateway, id: string) =>
  gateway.router.inspect().routes.flatMap((r) => r.chain.flatMap((g) => g.deployments)).find((d) => d.id === id)!.breaker;

async function until(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('probe isolation', () => {
  let gateway: Gateway | undefined;
  afterEach(async () => {
    await gateway?.shutdown(1000);
    gateway = undefined;
  });

  it('pins its default', () => {
    expect(DEFAULT_PROBE_FAILURES_TO_ISOLATE).toBe(2);
  });

  it('isolates a deployment after consecutive failed probes (no traffic needed) and releases it when a probe passes', async () => {
    gateway = await startTestGateway(testConfigYaml('health: { probes: true, probeIntervalMs: 100ms, probeTimeoutMs: 1s }'));
    await new Promise((r) => setTimeout(r, 350));
    expect(breakerOf(gateway, 'secondary-gpt35')).toBe('closed'); // healthy probes change nothing

    setFaults(gateway, { secondary: DOWN });
    await until(() => breakerOf(gateway!, 'secondary-gpt35') === 'isolated');
    expect(gateway.ops.isolation.isolatedIds.has('secondary-gpt35')).toBe(true);
    expect(breakerOf(gateway, 'primary-gpt4')).toBe('closed');
    const health = (await (await fetch(`${gateway.url}/health`)).json()) as any;
    expect(health.checks['secondary-gpt35:probe'][0]).toMatchObject({ observedValue: false, status: 'warn' });

    setFaults(gateway, {});
    await until(() => breakerOf(gateway!, 'secondary-gpt35') === 'closed');
    expect(gateway.ops.isolation.isolatedIds.size).toBe(0);
    const timeline = gateway.ops.feed.timeline.list().filter((e) => e.kind === 'probe').map((e) => e.text);
    expect(timeline[0]).toMatch(/^isolated after failing active probes \(overloaded\)/);
    expect(timeline.at(-1)).toBe('released: active probe passed');
  });

  it('never releases what an operator holds', async () => {
    gateway = await startTestGateway(testConfigYaml('health: { probes: true, probeIntervalMs: 100ms, probeTimeoutMs: 1s }'));
    setFaults(gateway, { secondary: DOWN });
    await until(() => breakerOf(gateway!, 'secondary-gpt35') === 'isolated');
    const res = await fetch(`${gateway.url}/admin/deployments/secondary-gpt35/open`, { method: 'POST' });
    expect(res.status).toBe(200);
    await res.text();
    setFaults(gateway, {});
    await new Promise((r) => setTimeout(r, 400));
    expect(breakerOf(gateway, 'secondary-gpt35')).toBe('isolated');
  });
});
