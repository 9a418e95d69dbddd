import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { EXIT_FAILED, EXIT_USAGE } from '../command.js';
import load from './load.js';

let server: Server | undefined;
afterEach(async () => {
  vi.restoreAllMocks();
  if (server) {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server!.close(() => resolve()));
    server = undefined;
  }
});

/** An OpenAI-shaped upstream answering every chat request after `delayMs`. */
async function upstream(delayMs = 0): Promise<string> {
  server = createServer((req, res) => {
    req.resume();
    setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end('{"choices":[{"message":{"content":"ok"}}]}'), delayMs);
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function run(args: string[]): Promise<{ code: number; error: string }> {
  const errors: string[] = [];
  vi.spyOn(console, 'error').mockImplementation((message: string) => void errors.push(message));
  vi.spyOn(console, 'log').mockImplementation(() => undefined);
  const code = await load.run(args);
  return { code, error: errors.join('\n') };
}

describe('bulwark load (usage errors are exit 2 before any request, with a message naming the option)', () => {
  it.each([
    [['--requests', 'abc'], /^bulwark load: --requests: expected a positive integer, got 'abc'/],
    [['--requests', '1.5'], /--requests: expected a positive integer, got '1\.5'/],
    [['--timeout', '0s'], /--timeout: expected more than 0 ms, got '0s'/],
    [['--duration', '0s'], /--duration: expected more than 0 ms, got '0s'/],
    [['--url', 'notaurl'], /--url: expected an http:\/\/ or https:\/\/ URL, got 'notaurl'/],
    [['--url', 'ftp://127.0.0.1:1'], /--url: expected an http:\/\/ or https:\/\/ URL/],
    [['--threshold', 'http_req_duration=p(200)<5'], /percentile must be above 0 and at most 100/],
    [['--out', '/nonexistent-dir-for-bulwark/summary.json'], /--out: the directory \/nonexistent-dir-for-bulwark does not exist/],
    [['--html', '/nonexistent-dir-for-bulwark/r.html'], /--html: the directory \/nonexistent-dir-for-bulwark does not exist/],
    [['--out', tmpdir()], /--out: .* is a directory; give a file name/],
  ])('%j', async (args, message) => {
    const url = await upstream();
    let requests = 0;
    server!.on('request', () => requests++);
    const result = await run(['--url', url, '--duration', '200ms', '--quiet', ...args]);
    expect(result.code).toBe(EXIT_USAGE);
    expect(result.error).toMatch(message);
    expect(requests).toBe(0);
  });
});

describe('bulwark load against a target that is down', () => {
  it('says why the requests failed (errors by kind) and fails the error threshold with exit 1', async () => {
    const url = await upstream();
    server!.closeAllConnections();
    await new Promise<void>((resolve) => server!.close(() => resolve()));
    server = undefined;
    const lines: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((message: string) => void lines.push(message));
    const code = await load.run(['--url', url, '--rate', '20', '--duration', '200ms', '--threshold', 'http_req_failed=rate<0.01']);
    expect(code).toBe(EXIT_FAILED);
    expect(lines.join('\n')).toMatch(/^errors by kind {2}ECONNREFUSED=4$/m);
    expect(lines.join('\n')).toMatch(/✗ http_req_failed: rate<0\.01 {2}\(observed 1\.000\)/);
  });
});

describe('bulwark load when every request failed', () => {
  it('exits 1 without any threshold, and says so', async () => {
    const url = await upstream();
    server!.closeAllConnections();
    await new Promise<void>((resolve) => server!.close(() => resolve()));
    server = undefined;
    const result = await run(['--url', url, '--rate', '20', '--duration', '200ms']);
    expect(result.code).toBe(EXIT_FAILED);
    expect(result.error).toMatch(/every request failed \(4 of 4\)/);
  });

  it('exits 0 when some requests were served and no threshold is set', async () => {
    const url = await upstream();
    const result = await run(['--url', url, '--rate', '20', '--duration', '200ms']);
    expect(result.code).toBe(0);
  });
});

describe('bulwark load, Ctrl-C', () => {
  it('SIGINT stops the run at once, prints the partial summary marked interrupted and exits 1', async () => {
    const url = await upstream(20);
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'load', '--url', url, '--rate', '20', '--duration', '60s'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += String(chunk)));
    child.stderr.on('data', (chunk) => (stderr += String(chunk)));
    let requests = 0;
    server!.on('request', () => requests++);
    try {
      // Wait until requests flow (the child starts through tsx), then interrupt.
      for (let i = 0; i < 400 && requests < 5; i++) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(requests).toBeGreaterThanOrEqual(5);
      const startedStop = Date.now();
      child.kill('SIGINT');
      const [code] = await once(child, 'exit');
      expect(Date.now() - startedStop).toBeLessThan(5000);
      expect(code).toBe(EXIT_FAILED);
      expect(stderr).toMatch(/interrupted/);
      expect(stdout).toMatch(/^requests \d+ {2}errors 0 /m);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 30_000);
});
