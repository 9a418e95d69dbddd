import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../core/fake-clock.js';
import { EventEmitter } from '../../core/events.js';
import type { RouterInspection } from '../../llm/router/router-control.js';
import type { BreakerEvent, EjectionEvent, RequestEvent } from '../../llm/router-events.js';
import type { SlaReport } from '../sla.js';
import { breakerEvent, requestEvent } from '../test-events.js';
import { DashboardFeed, DEFAULT_MAX_BUFFERED_BYTES, DEFAULT_SNAPSHOT_INTERVAL_MS, SSE_RETRY_MS } from './dashboard-feed.js';
import type { DashboardSources } from './dashboard-snapshot.js';

// The feed on virtual time, with pages connected over real sockets.

function inspection(at: number, routes = 1): RouterInspection {
  return {
    at,
    routes: Array.from({ length: routes }, (_, i) => ({
      name: i === 0 ? 'gpt-4' : `route-${i}`, required: true, implicit: false, cache: true, staleIfError: true, hasDefaultResponse: true, streamFailover: 'continue' as const,
      contextWindowFallbacks: [], contentPolicyFallbacks: [],
      chain: [{ group: 'gpt4', deployments: [{
        id: 'openai-east', group: 'gpt4', provider: 'p', model: 'gpt-4o', region: undefined, breaker: 'closed' as const, breakerRetryAfterMs: 0,
        ejected: false, ejectedUntil: undefined, drained: false, available: true, outstanding: 0, latencyEwmaMs: 0, lastErrorKind: undefined, lastErrorAt: undefined, canContinue: false,
      }] }],
    })),
  };
}

const EMPTY_SLA: SlaReport = { generatedAt: '', windowsMs: { '1m': 60_000, '5m': 300_000, '1h': 3_600_000 }, deployments: {}, groups: {}, routes: {} };

class Pages {
  private server: Server | undefined;
  sockets: Socket[] = [];
  async start(feed: DashboardFeed): Promise<number> {
    this.server = createServer((_req, res) => feed.connect(res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return (this.server.address() as AddressInfo).port;
  }
  /** A page: a raw socket whose received text is collected (or not read at all when `paused`). */
  async open(port: number, paused = false): Promise<{ socket: Socket; text: () => string }> {
    const socket = connect(port, '127.0.0.1');
    this.sockets.push(socket);
    let received = '';
    if (!paused) socket.on('data', (chunk) => (received += chunk.toString('utf8')));
    else socket.pause();
    socket.write('GET /events HTTP/1.1\r\nhost: x\r\n\r\n');
    await new Promise((resolve) => socket.once('connect', resolve));
    return { socket, text: () => received };
  }
  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve) ?? resolve(undefined));
  }
}

const until = async (check: () => boolean) => {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(check()).toBe(true);
};
const count = (text: string, event: string) => text.split(`event: ${event}\n`).length - 1;

describe('DashboardFeed', () => {
  const pages = new Pages();
  afterEach(() => pages.close());

  function setup(routes = 1, options = {}) {
    const clock = new FakeClock();
    let snapshots = 0;
    const sources: DashboardSources = {
      inspect: () => (snapshots++, inspection(clock.now(), routes)),
      sla: () => EMPTY_SLA,
      activeAlerts: () => [],
      gateway: () => ({ inFlight: 0, draining: false, generation: 1 }),
    };
    const feed = new DashboardFeed(sources, clock, options);
    return { clock, feed, built: () => snapshots };
  }

  it('pins its defaults', () => {
    expect(DEFAULT_SNAPSHOT_INTERVAL_MS).toBe(1000);
    expect(DEFAULT_MAX_BUFFERED_BYTES).toBe(1_048_576);
    expect(SSE_RETRY_MS).toBe(3000);
    expect(() => setup(1, { intervalMs: 0 })).toThrow('dashboard: intervalMs must be a positive number (got 0)');
  });

  it('sends hello and a snapshot on connect, a snapshot each interval, and builds nothing without pages', async () => {
    const { clock, feed, built } = setup();
    await clock.advance(5000);
    expect(built()).toBe(0);
    expect(clock.pendingTimers).toBe(0);

    const port = await pages.start(feed);
    const page = await pages.open(port);
    await until(() => count(page.text(), 'snapshot') === 1);
    expect(page.text()).toContain(`retry: ${SSE_RETRY_MS}\n\n`);
    expect(page.text()).toContain('event: hello\ndata: {"timeline":[]}\n\n');
    await clock.advance(3000);
    await until(() => count(page.text(), 'snapshot') === 4);

    page.socket.destroy();
    await until(() => feed.clientCount === 0);
    expect(clock.pendingTimers).toBe(0);
    const before = built();
    await clock.advance(5000);
    expect(built()).toBe(before);
  });

  it('builds one snapshot per tick for all pages, and sends timeline entries as they happen', async () => {
    const { clock, feed, built } = setup();
    const router = { onRequest: new EventEmitter<RequestEvent>(), onBreaker: new EventEmitter<BreakerEvent>(), onEjection: new EventEmitter<EjectionEvent>() };
    const detach = feed.attach({ onRequest: router.onRequest.event, onBreaker: router.onBreaker.event, onEjection: router.onEjection.event });
    const port = await pages.start(feed);
    const a = await pages.open(port);
    const b = await pages.open(port);
    await until(() => feed.clientCount === 2);
    const afterConnect = built();
    await clock.advance(1000);
    expect(built()).toBe(afterConnect + 1);
    await until(() => count(a.text(), 'snapshot') === 2 && count(b.text(), 'snapshot') === 2);

    router.onBreaker.emit(breakerEvent(clock.now(), 'openai-east', 'open'));
    await until(() => a.text().includes('event: timeline') && b.text().includes('event: timeline'));
    expect(a.text()).toContain('"kind":"breaker","subject":"openai-east"');

    router.onRequest.emit(requestEvent(clock.now(), { servedBy: 'cache' }));
    await clock.advance(1000);
    await until(() => a.text().includes('"mix":{"primary":0,"secondary":0,"cache":1'));
    detach();
    router.onRequest.emit(requestEvent(clock.now()));
    expect(feed.mix.totals('gpt-4', clock.now()).primary).toBe(0);
  });

  it('disconnects a page that stopped reading once too much is buffered for it', async () => {
    const { clock, feed } = setup(60, { maxBufferedBytes: 64 * 1024 });
    const port = await pages.start(feed);
    const reader = await pages.open(port);
    const stalled = await pages.open(port, true);
    await until(() => feed.clientCount === 2);
    let ticks = 0;
    for (; ticks < 400 && feed.clientCount === 2; ticks++) {
      await clock.advance(1000);
      await new Promise((r) => setImmediate(r));
    }
    expect(feed.clientCount).toBe(1);
    expect(ticks).toBeGreaterThan(2); // it was let go only after its buffer filled, not at once
    expect(stalled.text()).toBe('');
    await until(() => count(reader.text(), 'snapshot') > 2);
  });

  it('close ends every stream and refuses new pages with 503', async () => {
    const { feed } = setup();
    const port = await pages.start(feed);
    const page = await pages.open(port);
    await until(() => feed.clientCount === 1);
    feed.close();
    await until(() => page.text().endsWith('0\r\n\r\n')); // the chunked stream's last chunk
    expect(feed.clientCount).toBe(0);
    const late = await pages.open(port);
    await until(() => late.text().startsWith('HTTP/1.1 503'));
  });
});
