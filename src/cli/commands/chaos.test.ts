import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { EXIT_FAILED, EXIT_USAGE } from '../command.js';
import chaos from './chaos.js';

let dir: string;
let gateway: Server;
let gatewayUrl: string;
let requests = 0;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bulwark-chaos-cli-'));
  gateway = createServer((req, res) => {
    requests++;
    req.resume();
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ready"}');
  });
  await new Promise<void>((resolve) => gateway.listen(0, '127.0.0.1', resolve));
  gatewayUrl = `http://127.0.0.1:${(gateway.address() as AddressInfo).port}`;
});
afterAll(async () => {
  gateway.closeAllConnections();
  await new Promise<void>((resolve) => gateway.close(() => resolve()));
  await rm(dir, { recursive: true, force: true });
});
afterEach(() => vi.restoreAllMocks());

async function run(yaml: string, extra: string[] = []): Promise<{ code: number; error: string; out: string }> {
  const file = join(dir, `e${Math.random().toString(16).slice(2)}.yaml`);
  await writeFile(file, yaml);
  const errors: string[] = [];
  const out: string[] = [];
  vi.spyOn(console, 'error').mockImplementation((message: string) => void errors.push(message));
  vi.spyOn(console, 'log').mockImplementation((message: string) => void out.push(message));
  const code = await chaos.run(['run', file, ...extra]);
  return { code, error: errors.join('\n'), out: out.join('\n') };
}

const experiment = (method: string, load = '') => `title: t
target: { gateway: GATEWAY, faults: "http://127.0.0.1:1" }
steadyState: { probes: [ { name: ready, type: http, url: /readyz } ] }
${load}
method:
${method}
`;

describe('bulwark chaos run', () => {
  it('an unreadable load threshold is exit 2 before any probe runs, naming its path', async () => {
    requests = 0;
    const result = await run(experiment('  - { wait: 1s }', 'load: { rate: 1, duration: 1s, thresholds: { http_req_failed: ["rate<<0.01"] } }').replace('GATEWAY', gatewayUrl));
    expect(result.code).toBe(EXIT_USAGE);
    expect(result.error).toMatch(/load\.thresholds\.http_req_failed\.0: threshold http_req_failed: cannot read 'rate<<0\.01'/);
    expect(requests).toBe(0);
  });

  it('a report path in a missing directory is exit 2 before anything runs', async () => {
    requests = 0;
    const result = await run(experiment('  - { wait: 1s }').replace('GATEWAY', gatewayUrl), ['--out', join(dir, 'missing', 'r.json')]);
    expect(result).toMatchObject({ code: EXIT_USAGE, error: expect.stringMatching(/--out: the directory .*missing does not exist/) });
    expect(requests).toBe(0);
  });

  it('a fault target that is down fails the experiment (exit 1) with its reason, not a stack trace', async () => {
    const result = await run(experiment('  - { action: faults.reset }\n  - { wait: 30s }').replace('GATEWAY', gatewayUrl));
    expect(result.code).toBe(EXIT_FAILED);
    expect(result.out).toMatch(/verdict: FAILED/);
    expect(result.out).toMatch(/method step failed: faults\.reset: ECONNREFUSED/);
  });
});
