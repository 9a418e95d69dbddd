import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FakeClock } from '../core/fake-clock.js';
import type { Ops } from './ops.js';
import { createOps } from './ops.js';
import { breakerEvent, requestEvent, silentLogger } from './test-events.js';

interface Received {
  body: any;
  headers: IncomingMessage['headers'];
}

/** A real HTTP server on 127.0.0.1:0 answering with the next status from `statuses` (then 200). */
async function webhookServer(statuses: number[], hold?: Promise<void>, retryAfter?: string) {
  const received: Received[] = [];
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let data = '';
    req.on('data', (c) => (data += c));
    req.on('end', async () => {
      received.push({ body: JSON.parse(data), headers: req.headers });
      if (hold) await hold;
      res.statusCode = statuses.shift() ?? 200;
      if (retryAfter && res.statusCode === 429) res.setHeader('retry-after', retryAfter);
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return { server, received, url, close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }) };
}

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

function opsWith(url: string, type: 'webhook' | 'slack', clock: FakeClock): Ops {
  const ops = createOps({
    topology: { groups: { gpt4: ['openai-east'] } },
    alerts: { sinks: [{ type, url, ...(type === 'webhook' ? { headers: { authorization: 'Bearer s3cret' } } : {}) }], delivery: { baseDelay: '2s', maxAttempts: 4 } },
  }, { clock, logger: silentLogger });
  cleanups.push(() => ops.close());
  return ops;
}

describe('webhook sinks over a real HTTP server', () => {
  it('retries a 500 with backoff on the clock, then delivers', async () => {
    const hook = await webhookServer([500]);
    cleanups.push(hook.close);
    const clock = new FakeClock();
    const ops = opsWith(hook.url, 'webhook', clock);
    ops.observe.breaker(breakerEvent(clock.now(), 'openai-east', 'open'));
    ops.alerts.evaluate();
    await vi.waitFor(() => expect(hook.received).toHaveLength(1));
    // The retry waits 2 s of *virtual* time: nothing arrives until the clock moves.
    await new Promise((r) => setTimeout(r, 50));
    expect(hook.received).toHaveLength(1);
    await clock.advance(2000);
    await vi.waitFor(() => expect(hook.received).toHaveLength(2));
    await ops.alerts.flush();
    const body = hook.received[1].body;
    expect(body).toMatchObject({ id: 'breaker_opened:openai-east', rule: 'breaker_opened', state: 'firing', severity: 'warning', subject: 'openai-east' });
    expect(hook.received[1].headers.authorization).toBe('Bearer s3cret');
    expect(hook.received[1].headers['content-type']).toBe('application/json');
    const metrics = await ops.metricsText();
    expect(metrics).toMatch(/bulwark_alert_notifications_total\{sink="webhook#0",status="retried"\} 1/);
    expect(metrics).toMatch(/bulwark_alert_notifications_total\{sink="webhook#0",status="sent"\} 1/);
    expect(metrics).not.toContain('s3cret');
    expect(metrics).not.toContain(hook.url);
  });

  it('sends a Slack-compatible {text, blocks} body, and the resolved message', async () => {
    const hook = await webhookServer([]);
    cleanups.push(hook.close);
    const clock = new FakeClock();
    const ops = opsWith(hook.url, 'slack', clock);
    ops.observe.breaker(breakerEvent(clock.now(), 'openai-east', 'open'));
    ops.alerts.evaluate();
    ops.observe.breaker(breakerEvent(clock.now(), 'openai-east', 'closed'));
    ops.alerts.evaluate();
    await vi.waitFor(() => expect(hook.received).toHaveLength(2));
    const [firing, resolved] = hook.received.map((r) => r.body);
    expect(typeof firing.text).toBe('string');
    expect(firing.text).toContain('[FIRING] breaker_opened openai-east');
    expect(Array.isArray(firing.blocks)).toBe(true);
    expect(firing.blocks[0]).toMatchObject({ type: 'section', text: { type: 'mrkdwn' } });
    expect(resolved.text).toContain('[RESOLVED]');
  });

  it('never blocks observe(): a hanging webhook leaves recording synchronous and the queue bounded', async () => {
    let release!: () => void;
    const hold = new Promise<void>((r) => (release = r));
    const hook = await webhookServer([], hold);
    cleanups.push(async () => { release(); await hook.close(); });
    const clock = new FakeClock();
    const ops = createOps({
      topology: { groups: { gpt4: ['openai-east'] } },
      alerts: { sinks: [{ type: 'webhook', url: hook.url }], delivery: { queueSize: 2 } },
    }, { clock, logger: silentLogger });
    cleanups.push(() => ops.close());
    ops.observe.breaker(breakerEvent(clock.now(), 'openai-east', 'open'));
    ops.alerts.evaluate();
    await vi.waitFor(() => expect(hook.received).toHaveLength(1)); // the first delivery is now stuck in the server
    const started = performance.now();
    for (let i = 0; i < 10_000; i++) ops.observe.request(requestEvent(clock.now()));
    const elapsed = performance.now() - started;
    expect(elapsed).toBeLessThan(2000); // synchronous and cheap even while the sink hangs
    // Five more firing alerts while the first is stuck: the 2-slot queue keeps the newest.
    for (let i = 0; i < 5; i++) {
      ops.observe.breaker(breakerEvent(clock.now(), `dep-${i}`, 'open'));
      ops.alerts.evaluate();
    }
    expect(ops.alerts.dropped()['webhook#0']).toBe(3);
    release();
    await ops.alerts.flush();
    expect(hook.received.map((r) => r.body.subject)).toEqual(['openai-east', 'dep-3', 'dep-4']);
  });

  it("waits for the receiver's Retry-After when it is longer than the backoff", async () => {
    const hook = await webhookServer([429], undefined, '10');
    cleanups.push(hook.close);
    const clock = new FakeClock();
    const ops = opsWith(hook.url, 'webhook', clock);
    ops.observe.breaker(breakerEvent(clock.now(), 'openai-east', 'open'));
    ops.alerts.evaluate();
    await vi.waitFor(() => expect(hook.received).toHaveLength(1));
    await clock.advance(9_000); // past the 2-s backoff, short of the 10-s hint
    await new Promise((r) => setTimeout(r, 50));
    expect(hook.received).toHaveLength(1);
    await clock.advance(1_000);
    await vi.waitFor(() => expect(hook.received).toHaveLength(2));
  });

  it('gives up after maxAttempts and counts the failure', async () => {
    const hook = await webhookServer([503, 503, 503, 503]);
    cleanups.push(hook.close);
    const clock = new FakeClock();
    const ops = opsWith(hook.url, 'webhook', clock);
    ops.observe.breaker(breakerEvent(clock.now(), 'openai-east', 'open'));
    ops.alerts.evaluate();
    for (let n = 1; n <= 4; n++) {
      await vi.waitFor(() => expect(hook.received).toHaveLength(n));
      await clock.advance(2000 * 2 ** (n - 1));
    }
    await ops.alerts.flush();
    expect(hook.received).toHaveLength(4);
    expect(await ops.metricsText()).toMatch(/bulwark_alert_notifications_total\{sink="webhook#0",status="failed"\} 1/);
  });
});
