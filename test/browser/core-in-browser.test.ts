import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The compiled core (dist/core, built by the test setup) served as plain ES modules to Debian's
// Chromium, where a page and a module Web Worker run a pipeline with retry, timeout and breaker.
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CORE = join(ROOT, 'dist', 'core');
const SCENARIO = fileURLToPath(new URL('./scenario.js', import.meta.url));
const CHROMIUM = '/usr/bin/chromium';

const WORKER = `import { runScenario } from '/scenario.js';
runScenario().then((result) => postMessage({ result }), (error) => postMessage({ error: String(error && error.stack || error) }));`;
const PAGE = '<!doctype html><meta charset="utf-8"><title>core</title>';

/** Serves the page, the worker, the scenario and dist/core/** — nothing else. */
async function serve(): Promise<Server> {
  const server = createServer(async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const send = (status: number, type: string, body: string | Buffer) => res.writeHead(status, { 'content-type': type }).end(body);
    if (path === '/') return send(200, 'text/html', PAGE);
    if (path === '/worker.js') return send(200, 'text/javascript', WORKER);
    if (path === '/scenario.js') return send(200, 'text/javascript', await readFile(SCENARIO));
    const file = normalize(join(CORE, path.replace(/^\/core\//, '')));
    if (!path.startsWith('/core/') || !file.startsWith(CORE) || extname(file) !== '.js') return send(404, 'text/plain', 'not found');
    readFile(file).then((body) => send(200, 'text/javascript', body), () => send(404, 'text/plain', 'not found'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

const EXPECTED = {
  answer: 'answered on attempt 3',
  attempts: [{ attempt: 1, abortedWith: 'BULWARK_ERR_TIMEOUT' }, { attempt: 2 }, { attempt: 3 }],
  breakerAfterRecovery: 'closed',
  exhausted: 'down',
  breakerAfterFailures: 'open',
  refused: { isBrokenCircuit: true, code: 'BULWARK_ERR_BROKEN_CIRCUIT', ranOperation: false },
  totalTimeout: { name: 'TimeoutError', code: 'BULWARK_ERR_TIMEOUT' },
  sleptEarly: false,
  sleptOnTime: true,
};

describe('the compiled core in headless Chromium', () => {
  let server: Server;
  let browser: Browser;
  let page: Page;
  let base: string;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    server = await serve();
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
    page = await browser.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(`${base}/`);
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => server?.close(resolve));
  });

  it('runs retry, timeout and breaker in a page', async () => {
    // Source strings, not functions: vitest's transform would rewrite import() and new Worker().
    const result = await page.evaluate(`import('/scenario.js').then((m) => m.runScenario())`);
    expect(result).toEqual(EXPECTED);
    expect(pageErrors).toEqual([]);
  });

  it('runs retry, timeout and breaker in a module Web Worker', async () => {
    const reply = await page.evaluate<{ result?: unknown; error?: string }>(`new Promise((resolve) => {
      const worker = new Worker('/worker.js', { type: 'module' });
      worker.onmessage = (event) => resolve(event.data);
      worker.onerror = (event) => resolve({ error: event.message || 'the worker failed to load' });
    })`);
    expect(reply.error).toBeUndefined();
    expect(reply.result).toEqual(EXPECTED);
  });
});
