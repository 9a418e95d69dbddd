import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { EXIT_FAILED, EXIT_USAGE } from '../command.js';
import faults from './faults.js';

const servers: Server[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  while (servers.length) await new Promise<void>((resolve) => servers.pop()!.close(() => resolve()));
});

async function takenPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  return (server.address() as AddressInfo).port;
}

async function run(args: string[]): Promise<{ code: number; error: string }> {
  const errors: string[] = [];
  vi.spyOn(console, 'error').mockImplementation((message: string) => void errors.push(message));
  vi.spyOn(console, 'log').mockImplementation(() => undefined);
  const code = await faults.run(args);
  return { code, error: errors.join('\n') };
}

describe('bulwark faults (exit codes and messages)', () => {
  it('an http-only toxic on a TCP proxy, a bad upstream, --seed or --json is a usage error (2), naming it', async () => {
    const upstream = `127.0.0.1:${await takenPort()}`;
    expect(await run(['start', '--upstream', upstream, '--listen', '127.0.0.1:0', '--api', '127.0.0.1:0', '--toxic', 'http_status:status=429']))
      .toEqual({ code: EXIT_USAGE, error: 'bulwark faults: http_status: needs the proxy in http mode' });
    expect(await run(['start', '--upstream', 'a b:1', '--listen', '127.0.0.1:0', '--api', '127.0.0.1:0'])).toEqual({ code: EXIT_USAGE, error: expect.stringMatching(/upstream: expected host:port/) });
    expect(await run(['start', '--upstream', upstream, '--seed', 'x'])).toEqual({ code: EXIT_USAGE, error: expect.stringMatching(/--seed: expected a non-negative integer, got 'x'/) });
    expect(await run(['add', '--json', '{bad'])).toEqual({ code: EXIT_USAGE, error: expect.stringMatching(/^bulwark faults: --json: not valid JSON/) });
    expect(await run(['add', 'latency:latencyMs=abc'])).toEqual({ code: EXIT_USAGE, error: expect.stringMatching(/attributes\.latencyMs/) });
  });

  it('a control API that cannot listen fails the start with exit 1 and leaves nothing running', async () => {
    const taken = await takenPort();
    const result = await run(['start', '--upstream', `127.0.0.1:${taken}`, '--listen', '127.0.0.1:0', '--api', `127.0.0.1:${taken}`]);
    expect(result).toEqual({ code: EXIT_FAILED, error: expect.stringMatching(/EADDRINUSE/) });
  });

  it('a control API that is not running is exit 1 with a message saying where it looked', async () => {
    const port = await takenPort();
    await new Promise<void>((resolve) => servers.pop()!.close(() => resolve()));
    const result = await run(['list', '--api', `127.0.0.1:${port}`]);
    expect(result.code).toBe(EXIT_FAILED);
    expect(result.error).toMatch(new RegExp(`cannot reach the fault proxy's control API at http://127\\.0\\.0\\.1:${port} \\(ECONNREFUSED\\)`));
  });
});
