import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/gateway/config/load.js';
import { Gateway } from '../../src/gateway/gateway.js';
import { defaultRouterFactory } from '../../src/gateway/router-factory.js';
import { memoryLogger } from './helpers.js';
import { environmentFor, shippedConfigs } from './shipped-configs.js';

// What `config check` accepts, `serve` starts: every config we ship (config/, templates/, the
// examples and the deploy ConfigMaps) passes the one validation and then starts a gateway on an
// ephemeral loopback port. And what check refuses, serve refuses with the same lines (exit 2).

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const run = promisify(execFile);

describe('every shipped config passes config check and starts serve', () => {
  // Redis stands for a closed port (a listener that is closed at once): the gateway starts on
  // local state, as a replica does when Redis is down, without waiting on a real Redis.
  let closed: Server;
  let redisUrl: string;
  beforeAll(async () => {
    closed = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    redisUrl = `redis://127.0.0.1:${(closed.address() as { port: number }).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => closed.close(() => resolve())));

  const configs = shippedConfigs();
  it('finds them all', () => {
    expect(configs.map((c) => c.name)).toEqual(expect.arrayContaining(['config/default.yaml', 'templates/resilience/cross-cloud.yaml']));
    expect(configs.filter((c) => c.name.includes('ConfigMap')).length).toBeGreaterThanOrEqual(2);
  });

  it.each(configs.map((c) => [c.name, c.text] as const))('%s', async (name, text) => {
    const env = environmentFor(text, redisUrl);
    const parsed = parseConfig(text, { source: name, env });
    // No drain delay on the way out (the ConfigMaps keep the listener open 5 s for load balancers).
    const config = { ...parsed, server: { ...parsed.server, drainDelayMs: 0 } };
    const gateway = await Gateway.start({ config, createRouter: defaultRouterFactory, port: 0, host: '127.0.0.1', logger: memoryLogger('fatal').logger });
    try {
      const ready = await fetch(`${gateway.url}/livez`);
      expect(ready.status).toBe(200);
      expect(gateway.router.models().length).toBeGreaterThan(0);
    } finally {
      await gateway.shutdown();
    }
  });
});

describe('config check and serve refuse alike', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bulwark-check-serve-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const BAD = `
server: { port: 0, headersTimeoutMs: 60s, requestTimeoutMs: 30s }
mocks: { m: {} }
providers:
  p: { type: openai, mock: m }
modelGroups:
  g: { deployments: [ { id: cache, provider: p, model: m } ], policies: { breaker: { openMs: 30d } } }
routes: [ { name: r, chain: [g, g] } ]
loadShedding: { gateway: { minLimit: 500, maxLimit: 50 } }
alerts: { evaluateEvery: 0 }
`;
  const EXPECTED = [
    'server.headersTimeoutMs: must be at most requestTimeoutMs (30000 ms), got 60000',
    'modelGroups.g.deployments[0].id: must not be cache, default or none (reserved: x-bulwark-served-by values), got "cache"',
    'modelGroups.g.policies.breaker.openMs: must be at least 1 ms and at most 2147483647 ms (24.8 days, the longest timer), got "30d"',
    "routes[0].chain[1]: must name each model group once (a chain tries each group once), got 'g' again (first at chain[0])",
    'loadShedding.gateway.minLimit: must be at most maxLimit (50), got 500',
    'alerts.evaluateEvery: must be at least 100 ms (a faster tick is a busy loop) and at most 2147483647 ms (24.8 days, the longest timer), got 0',
  ];

  it('the same problems, by path, exit 2 from both commands (no internal names, no stack trace)', async () => {
    const file = join(dir, 'bad.yaml');
    await writeFile(file, BAD);
    const bulwark = (args: string[]) => run(process.execPath, [join(ROOT, 'bin', 'bulwark.js'), ...args], { cwd: ROOT, timeout: 20_000 })
      .then(() => ({ code: 0, stderr: '' }), (error: { code: number; stderr: string }) => error);
    const [check, serve] = await Promise.all([bulwark(['config', 'check', file]), bulwark(['serve', '--config', file])]);
    for (const result of [check, serve]) {
      expect(result.code).toBe(2);
      const lines = result.stderr.split('\n').filter((l) => l.startsWith('  - ')).map((l) => l.slice(4));
      expect(lines.sort()).toEqual([...EXPECTED].sort());
      expect(result.stderr).not.toMatch(/RouterConfig|CircuitBreaker|\s{4}at /);
    }
  });
});
