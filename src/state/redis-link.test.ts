import { afterEach, describe, expect, it, vi } from 'vitest';
import { InvalidOptionsError } from '../core/errors.js';
import { RedisLink, UNAVAILABLE } from './redis-link.js';
import type { StateStatusEvent } from './state-status.js';
import { ThrowawayRedis, freePort } from './test-support.js';

describe('RedisLink', () => {
  const cleanup: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  it('starts down (never throws) when Redis is not there, and comes up with a resync when it appears', async () => {
    const port = await freePort();
    const link = await RedisLink.connect({ url: `redis://127.0.0.1:${port}`, connectTimeoutMs: 200, recoveryCheckIntervalMs: 50 });
    cleanup.push(() => link.close());
    const events: StateStatusEvent[] = [];
    link.onStatus((e) => events.push(e));
    let recovered = 0;
    link.onRecovered(() => recovered++);
    expect(link.isUp).toBe(false);
    expect(await link.call((r) => r.ping())).toBe(UNAVAILABLE);
    const server = ThrowawayRedis.at(port);
    await server.resume();
    cleanup.push(() => server.kill());
    await vi.waitFor(() => expect(link.isUp).toBe(true), { timeout: 8_000, interval: 50 });
    expect(events.at(-1)).toMatchObject({ backend: 'redis', status: 'up', reason: 'reconnected' });
    expect(recovered).toBe(1);
    expect(await link.call((r) => r.ping())).toBe('PONG');
  });

  it('goes down when the server dies and up again (with onRecovered) when it is back', async () => {
    const server = await ThrowawayRedis.start();
    cleanup.push(() => server.kill());
    const link = await RedisLink.connect({ url: server.url, recoveryCheckIntervalMs: 50 });
    cleanup.push(() => link.close());
    const events: string[] = [];
    link.onStatus((e) => events.push(`${e.status}:${e.reason}`));
    let recovered = 0;
    link.onRecovered(() => recovered++);
    expect(link.isUp).toBe(true);
    await server.kill();
    await vi.waitFor(() => expect(link.isUp).toBe(false), { timeout: 5_000, interval: 20 });
    expect(await link.call((r) => r.ping())).toBe(UNAVAILABLE);
    await server.resume();
    await vi.waitFor(() => expect(link.isUp).toBe(true), { timeout: 8_000, interval: 50 });
    expect(events).toEqual(['down:connection closed', 'up:reconnected']);
    expect(recovered).toBe(1);
  });

  it('a command slower than commandTimeoutMs returns UNAVAILABLE at once; repeated failures mark Redis down until a PING answers', async () => {
    const server = await ThrowawayRedis.start();
    cleanup.push(() => server.kill());
    const link = await RedisLink.connect({ url: server.url, commandTimeoutMs: 50, failureThreshold: 2, recoveryCheckIntervalMs: 100 });
    cleanup.push(() => link.close());
    const blocker = await RedisLink.connect({ url: server.url, commandTimeoutMs: 5_000 });
    cleanup.push(() => blocker.close());
    const events: string[] = [];
    link.onStatus((e) => events.push(e.status));
    const stall = blocker.commands.call('DEBUG', 'SLEEP', '0.5'); // the server answers nobody for 500 ms
    const started = Date.now();
    expect(await link.call((r) => r.get('x'))).toBe(UNAVAILABLE);
    expect(Date.now() - started).toBeLessThan(400); // bounded by the command timeout (50 ms), not the stall
    expect(link.isUp).toBe(true); // one failure is not an outage
    expect(await link.call((r) => r.get('x'))).toBe(UNAVAILABLE);
    expect(link.isUp).toBe(false);
    await stall;
    await vi.waitFor(() => expect(link.isUp).toBe(true), { timeout: 5_000, interval: 20 });
    expect(events).toEqual(['down', 'up']);
  });

  it('a client that ioredis gave up on (status end) is started again: the link comes back up by itself', async () => {
    const server = await ThrowawayRedis.start();
    cleanup.push(() => server.kill());
    const link = await RedisLink.connect({ url: server.url, recoveryCheckIntervalMs: 50 });
    cleanup.push(() => link.close());
    const events: string[] = [];
    link.onStatus((e) => events.push(e.status));
    link.commands.disconnect(); // ends the client: ioredis itself would never reconnect it
    link.subscriber.disconnect();
    await vi.waitFor(() => expect(link.isUp).toBe(false), { timeout: 5_000, interval: 10 });
    await vi.waitFor(() => expect(link.isUp).toBe(true), { timeout: 8_000, interval: 20 });
    expect(events).toEqual(['down', 'up']);
    expect(await link.call((r) => r.ping())).toBe('PONG');
    await vi.waitFor(() => expect(link.subscriber.status).toBe('ready'), { timeout: 5_000, interval: 20 });
  });

  it('validates its options without ever echoing the URL', async () => {
    const bad = RedisLink.connect({ url: 'http://user:secret@host' });
    await expect(bad).rejects.toThrow(InvalidOptionsError);
    await expect(bad).rejects.not.toThrow(/secret/);
    await expect(RedisLink.connect({ url: 'redis://h', commandTimeoutMs: 0 })).rejects.toThrow(/commandTimeoutMs must be an integer >= 1 \(got 0\)/);
  });
});

