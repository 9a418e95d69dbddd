import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../core/fake-clock.js';
import { TestLinks } from '../test-support.js';
import { LocalProbeGate } from './local-probe-gate.js';
import { probeGateContract } from './probe-gate.contract.js';
import { RedisProbeGate } from './redis-probe-gate.js';

probeGateContract('memory', () => {
  const gate = new LocalProbeGate();
  return { a: gate, b: gate, close: () => {} };
});

probeGateContract('redis', async () => {
  const links = new TestLinks();
  return { a: new RedisProbeGate(await links.open()), b: new RedisProbeGate(await links.open()), close: () => links.close() };
});

describe('RedisProbeGate', () => {
  it('a permit never released (its replica died) expires after permitTtlMs', async () => {
    const links = new TestLinks();
    const clock = new FakeClock(Date.now());
    const dead = new RedisProbeGate(await links.open(), { clock, permitTtlMs: 5_000 });
    const alive = new RedisProbeGate(await links.open(), { clock, permitTtlMs: 5_000 });
    expect(await dead.acquire('svc', 1)).toBe(true);
    expect(await alive.acquire('svc', 1)).toBe(false);
    await clock.advance(5_001);
    expect(await alive.acquire('svc', 1)).toBe(true);
    await links.close();
  });

  it('grants every probe while Redis is unreachable (local permits still apply)', async () => {
    const links = new TestLinks();
    const link = await links.open();
    const gate = new RedisProbeGate(link);
    await link.close();
    expect(await gate.acquire('svc', 1)).toBe(true);
    expect(await gate.acquire('svc', 1)).toBe(true);
    gate.release('svc');
    await links.close();
  });
});
