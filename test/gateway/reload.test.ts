import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/gateway/config/load.js';
import { Gateway, type RouterFactory } from '../../src/gateway/gateway.js';
import { defaultRouterFactory } from '../../src/gateway/router-factory.js';
import { hashKey } from '../../src/gateway/auth.js';
import { memoryLogger, testConfigYaml } from './helpers.js';

describe('gateway reload', () => {
  let gateway: Gateway | undefined;
  afterEach(async () => {
    await gateway?.shutdown(1000);
    gateway = undefined;
  });

  // Observes (does not replace) the real router: counts close() calls.
  function observedFactory(closed: number[]): RouterFactory {
    let n = 0;
    return (config, deps) => {
      const router = defaultRouterFactory(config, deps);
      const id = ++n;
      const close = router.close.bind(router);
      router.close = () => {
        closed.push(id);
        return close();
      };
      return router;
    };
  }

  it('swaps in the new config while a stream in flight finishes on the old router, which then closes', async () => {
    const closed: number[] = [];
    gateway = await Gateway.start({ config: parseConfig(testConfigYaml(), { env: {} }), createRouter: observedFactory(closed), logger: memoryLogger('warn').logger });
    gateway.mock('m')!.setProfile({ default: { tokenDelayMs: 40 } });

    const streaming = fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4', stream: true, messages: [{ role: 'user', content: 'long answer during reload' }] }),
    });
    const res = await streaming;
    expect(res.headers.get('x-bulwark-served-by')).toBe('primary-gpt4');

    const next = parseConfig(testConfigYaml().replace('- { name: gpt-4, chain: [gpt4, gpt35]', '- { name: gpt-5, chain: [gpt35] }\n  - { name: gpt-4, chain: [gpt4, gpt35]'), { env: {} });
    await gateway.reload(next);
    expect(gateway.slot.generation).toBe(2);
    expect(closed).toEqual([]); // the old router still has a stream in flight

    const body = await res.text();
    expect(body.trim().endsWith('data: [DONE]')).toBe(true);
    await new Promise((r) => setTimeout(r, 20));
    expect(closed).toEqual([1]);

    const models = (await (await fetch(`${gateway.url}/v1/models`)).json()) as { data: Array<{ id: string }> };
    expect(models.data.map((m) => m.id)).toContain('gpt-5');
    const answer = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-5', messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(answer.headers.get('x-bulwark-served-by')).toBe('secondary-gpt35');
  });

  it('keeps the old router when the new one cannot be built', async () => {
    gateway = await Gateway.start({ config: parseConfig(testConfigYaml(), { env: {} }), createRouter: defaultRouterFactory, logger: memoryLogger('warn').logger });
    const failing: RouterFactory = () => {
      throw new Error('cannot build');
    };
    (gateway as unknown as { createRouter: RouterFactory }).createRouter = failing;
    await expect(gateway.reload(parseConfig(testConfigYaml(), { env: {} }))).rejects.toThrow('cannot build');
    expect(gateway.slot.generation).toBe(1);
    const res = await fetch(`${gateway.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'gpt-4', messages: [{ role: 'user', content: 'x' }] }) });
    expect(res.status).toBe(200);
  });

  it('reports not ready while draining, then stops listening', async () => {
    const yaml = testConfigYaml().replace('server: { port: 0 }', 'server: { port: 0, drainDelayMs: 300 }');
    gateway = await Gateway.start({ config: parseConfig(yaml, { env: {} }), createRouter: defaultRouterFactory, logger: memoryLogger('warn').logger });
    expect((await fetch(`${gateway.url}/readyz`)).status).toBe(200);
    const stopping = gateway.shutdown(2000);
    const ready = await fetch(`${gateway.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(ready.headers.get('connection')).toBe('close');
    expect((await fetch(`${gateway.url}/livez`)).status).toBe(200);
    expect(await stopping).toBe(true);
    await expect(fetch(`${gateway.url}/livez`)).rejects.toThrow();
    gateway = undefined;
  });

  // A SIGHUP during a drain must not bring up routers or mocks that nothing will close (the
  // process would never exit): the reload is refused, and one in progress finishes first.
  it('refuses a reload once shutdown began, and leaves no router or mock running after it', async () => {
    const closed: number[] = [];
    const started = await Gateway.start({ config: parseConfig(testConfigYaml(), { env: {} }), createRouter: observedFactory(closed), logger: memoryLogger('warn').logger });
    const next = parseConfig(testConfigYaml().replace('mocks:\n', 'mocks:\n  extra: { profile: healthy }\n'), { env: {} });
    const inProgress = started.reload(next); // finishes before the shutdown closes things
    const stopping = started.shutdown(1000);
    await expect(started.reload(next)).rejects.toThrow(/shutting down/);
    await inProgress;
    expect(await stopping).toBe(true);
    await expect(started.reload(next)).rejects.toThrow(/shutting down/);
    try {
      expect(started.mock('m')).toBeUndefined();
      expect(started.mock('extra')).toBeUndefined();
      expect(closed.sort()).toEqual([1, 2]);
    } finally {
      await started.mock('m')?.close();
      await started.mock('extra')?.close();
    }
  });

  // A reload cannot move the listener or reconnect the shared state: say so rather than let
  // `gateway.config` claim a port nobody listens on.
  it('warns naming the settings a reload cannot apply (listener, shared state, load shedding), and keeps serving', async () => {
    const { logger, lines } = memoryLogger('warn');
    gateway = await Gateway.start({ config: parseConfig(testConfigYaml(), { env: {} }), createRouter: defaultRouterFactory, logger });
    const url = gateway.url;
    await gateway.reload(parseConfig(testConfigYaml(), { env: {} }));
    expect(lines.join('')).not.toContain('restart');
    const moved = testConfigYaml().replace('server: { port: 0 }', 'server: { port: 0, host: "::1", requestTimeoutMs: 70s }');
    await gateway.reload(parseConfig(moved, { env: {} }));
    const warning = lines.map((l) => JSON.parse(l) as { msg: string; settings?: string[] }).find((l) => l.msg.includes('restart'));
    expect(warning?.settings).toEqual(['server.host', 'server.requestTimeoutMs']);
    expect(gateway.url).toBe(url);
    expect((await fetch(`${url}/livez`)).status).toBe(200);
  });

  it('keeps what each key spent of its RPM across a reload (a SIGHUP is no budget refill)', async () => {
    const key = 'bk-reload-limited-key-0123456789';
    const other = 'bk-reload-other-key-0123456789';
    const yaml = (keys: string) => testConfigYaml(`auth:\n  keys:\n${keys}`);
    const limited = `    - { tenant: tiny, sha256: ${hashKey(key)}, rpm: 2 }\n`;
    const unlimited = `    - { tenant: acme, sha256: ${hashKey(other)} }\n`;
    gateway = await Gateway.start({ config: parseConfig(yaml(limited), { env: {} }), createRouter: defaultRouterFactory, logger: memoryLogger('warn').logger });
    const call = async () => {
      const res = await fetch(`${gateway!.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
        body: JSON.stringify({ model: 'gpt-4', messages: [{ role: 'user', content: 'hi' }] }),
      });
      await res.text();
      return res.status;
    };
    expect([await call(), await call(), await call()]).toEqual([200, 200, 429]);
    await gateway.reload(parseConfig(yaml(unlimited + limited), { env: {} })); // the key moved to another position
    expect(await call()).toBe(429);
  });
});
