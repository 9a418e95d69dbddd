import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../core/fake-clock.js';
import type { AlertLedger } from '../state/alerts/alert-ledger.js';
import { MemoryAlertLedger } from '../state/alerts/memory-alert-ledger.js';
import { RedisAlertLedger } from '../state/alerts/redis-alert-ledger.js';
import { TestLinks } from '../state/test-support.js';
import type { OpsConfig } from './config.js';
import type { Ops } from './ops.js';
import { createOps } from './ops.js';
import { breakerEvent, CapturingSink, silentLogger } from './test-events.js';

const topology: OpsConfig['topology'] = {
  groups: { gpt4: ['openai-east'], claude: ['anthropic-main'] },
  routes: { 'gpt-4': { chain: ['gpt4', 'claude'] } },
};

const opened: Ops[] = [];
const links: TestLinks[] = [];
afterEach(async () => {
  for (const o of opened.splice(0)) o.close();
  await Promise.all(links.splice(0).map((l) => l.close()));
});

/** One replica's ops: its own engine, the cluster's ledger, a sink shared by every replica (one webhook). */
function replica(clock: FakeClock, sink: CapturingSink, ledger: AlertLedger | undefined, name: string): Ops {
  const ops = createOps({ topology, alerts: { sinks: [], evaluateEvery: '10s', repeatInterval: '1h', rules: { breakerOpened: false } } }, {
    clock, logger: silentLogger, sinks: [sink], ...(ledger ? { sharedAlerting: { ledger, replica: name } } : {}),
  });
  opened.push(ops);
  return ops;
}

const backends: Array<[string, (clock: FakeClock) => Promise<[AlertLedger, AlertLedger]>]> = [
  ['memory (one process)', async (clock) => {
    const ledger = new MemoryAlertLedger({ clock });
    return [ledger, ledger];
  }],
  ['redis (shared by the replicas)', async (clock) => {
    const l = new TestLinks();
    links.push(l);
    return [new RedisAlertLedger(await l.open(), { clock }), new RedisAlertLedger(await l.open(), { clock })];
  }],
];

describe.each(backends)('alerts across replicas, ledger in %s', (_name, ledgers) => {
  it('three replicas seeing one primary outage send one firing and one resolved (not three of each)', async () => {
    const clock = new FakeClock(Date.now());
    const sink = new CapturingSink();
    const [a, b] = await ledgers(clock);
    const replicas = [replica(clock, sink, a, 'A'), replica(clock, sink, b, 'B'), replica(clock, sink, a, 'C')];
    for (const r of replicas) r.observe.breaker(breakerEvent(clock.now(), 'openai-east', 'open'));
    await clock.advance(30_000);
    for (const r of replicas) {
      expect(r.alerts.active().map((x) => x.id)).toEqual(['primary_unavailable:gpt4']); // each replica's own view
      await r.alerts.flush();
    }
    for (const r of replicas) r.observe.breaker(breakerEvent(clock.now(), 'openai-east', 'closed'));
    await clock.advance(30_000);
    for (const r of replicas) await r.alerts.flush();
    expect(sink.of('primary_unavailable').map((n) => n.state)).toEqual(['firing', 'resolved']);
  });
});

describe('primary_unavailable during one outage', () => {
  it('stays one alert through the half-open probes that fail, and resolves once when the primary is closed again', async () => {
    const clock = new FakeClock(Date.now());
    const sink = new CapturingSink();
    const ops = replica(clock, sink, new MemoryAlertLedger({ clock }), 'A');
    ops.observe.breaker(breakerEvent(clock.now(), 'openai-east', 'open'));
    for (let probe = 0; probe < 5; probe++) {
      await clock.advance(30_000);
      ops.observe.breaker(breakerEvent(clock.now(), 'openai-east', 'half-open'));
      await clock.advance(15_000); // an evaluation while the probe is in flight
      ops.observe.breaker(breakerEvent(clock.now(), 'openai-east', 'open')); // the probe failed
    }
    ops.observe.breaker(breakerEvent(clock.now(), 'openai-east', 'half-open'));
    await clock.advance(15_000);
    ops.observe.breaker(breakerEvent(clock.now(), 'openai-east', 'closed'));
    await clock.advance(15_000);
    await ops.alerts.flush();
    expect(sink.of('primary_unavailable').map((n) => n.state)).toEqual(['firing', 'resolved']);
  });
});

describe('stats reset (ops retired)', () => {
  it('resolves what it clears: the sinks get `resolved` for every active alert', async () => {
    const clock = new FakeClock(Date.now());
    const sink = new CapturingSink();
    const ops = replica(clock, sink, undefined, 'A');
    ops.observe.breaker(breakerEvent(clock.now(), 'openai-east', 'open'));
    await clock.advance(10_000);
    await ops.alerts.flush();
    expect(sink.of('primary_unavailable').map((n) => n.state)).toEqual(['firing']);
    await ops.retire();
    expect(sink.of('primary_unavailable').map((n) => n.state)).toEqual(['firing', 'resolved']);
    expect(ops.alerts.active()).toEqual([]);
  });
});
