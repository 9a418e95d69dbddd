import { mkdirSync } from 'node:fs';
import { Redis } from 'ioredis';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../src/gateway/gateway.js';
import { deleteKeys, TEST_REDIS_URL, uniquePrefix } from '../../src/state/test-support.js';
import { startTestGateway, testConfigYaml } from '../gateway/helpers.js';
import { CHROMIUM_PATH } from '../setup/chromium.js';

// Two real gateways sharing the real Redis (a key prefix of this run only): each publishes its
// dashboard report, and the dashboard of either shows both replicas, their own figures and
// breaker states, and the cluster total — in Debian's Chromium, with a screenshot.

const SCREENSHOT = 'test-output/dashboard-replicas.png';
const REPORT_FIELDS = ['at', 'breakers', 'draining', 'failed', 'generation', 'inFlight', 'meanMs', 'p99Ms', 'replica', 'requests', 'routes', 'startedAt', 'throughputRps', 'tokensPerSecond', 'truncated', 'v'];

async function send(gateway: Gateway, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    const res = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4', messages: [{ role: 'user', content: `a prompt that stays private ${i}` }] }),
    });
    expect(res.status).toBe(200);
    await res.text();
  }
}

describe('dashboard across replicas sharing Redis', () => {
  const prefix = uniquePrefix('dashboard-replicas');
  let a: Gateway;
  let b: Gateway;
  let browser: Browser;

  beforeAll(async () => {
    const yaml = testConfigYaml(`
state:
  redis: { url: "${TEST_REDIS_URL}", keyPrefix: "${prefix}", commandTimeoutMs: 500ms }
`);
    [a, b] = await Promise.all([startTestGateway(yaml), startTestGateway(yaml)]);
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  });

  afterAll(async () => {
    await browser?.close();
    await Promise.all([a?.shutdown(0), b?.shutdown(0)]);
    await deleteKeys(prefix);
  });

  it('the dashboard of replica A shows A and B with their own requests, B\'s drained deployment, and the cluster total', async () => {
    await send(a, 5);
    await send(b, 3);
    const drained = await fetch(`${b.url}/admin/deployments/secondary-haiku/drain`, { method: 'POST' });
    expect(drained.status).toBe(200);
    const idA = a.scaleOut.state.replicaId;
    const idB = b.scaleOut.state.replicaId;

    const page = await browser.newPage({ viewport: { width: 1400, height: 1500 } });
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    await page.goto(`${a.url}/dashboard`);
    await page.waitForSelector('#replicas-section:not([hidden])', { timeout: 5000 });
    const rowOf = (id: string) => `#replicas tr[data-replica="${id}"]`;
    // B's row appears at A's next read of the board (every 2 s while a page is open); requests are the last minute's.
    await page.waitForFunction((sel) => document.querySelector(sel)?.getAttribute('data-requests') === '3', rowOf(idB), { timeout: 8000 });
    await page.waitForFunction((sel) => document.querySelector(sel)?.getAttribute('data-requests') === '8', rowOf('total'), { timeout: 8000 });
    expect(await page.getAttribute(rowOf(idA), 'data-requests')).toBe('5');
    expect(await page.getAttribute(rowOf(idA), 'data-self')).toBe('true');
    expect(await page.getAttribute(rowOf(idB), 'data-self')).toBe('false');
    expect(await page.textContent(`${rowOf(idA)} [data-col="replica"]`)).toBe(`${idA} (this page)`);
    expect(await page.textContent(`${rowOf(idB)} [data-col="breakers"]`)).toBe('secondary-haiku: closed, drained');
    expect(await page.textContent(`${rowOf(idA)} [data-col="breakers"]`)).toBe('all closed');
    expect(await page.textContent(`${rowOf(idB)} [data-col="seen"]`)).toMatch(/^(now|\d s ago)$/);
    expect(await page.textContent(`${rowOf('total')} [data-col="replica"]`)).toBe('cluster total (2 replicas)');
    expect(await page.textContent(`${rowOf('total')} [data-col="error-rate"]`)).toBe('0.0 %');
    expect(await page.textContent(`${rowOf('total')} [data-col="breakers"]`)).toBe('secondary-haiku: drained on 1');
    expect(await page.textContent('#replica-count')).toBe('2');
    mkdirSync('test-output', { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(problems).toEqual([]);
    await page.close();

    // What went into Redis: figures and config names only (no prompt, no mock address), bounded, expiring.
    const redis = new Redis(TEST_REDIS_URL);
    try {
      const key = `${prefix}{dashboard}:reports`;
      const reports = await redis.hgetall(key);
      expect(Object.keys(reports).sort()).toEqual([idA, idB].sort());
      for (const text of Object.values(reports)) {
        expect(Object.keys(JSON.parse(text) as object).sort()).toEqual(REPORT_FIELDS);
        expect(text).not.toContain('private');
        expect(text).not.toMatch(/127\.0\.0\.1|http:/);
        expect(text.length).toBeLessThan(4096);
      }
      expect(await redis.pttl(key)).toBeGreaterThan(0);
    } finally {
      redis.disconnect();
    }
  });

  it('a gateway alone (no shared Redis) shows no replica section', async () => {
    const alone = await startTestGateway();
    try {
      expect(alone.ops.cluster).toBeUndefined();
      expect(alone.ops.feed.snapshot().cluster).toBeUndefined();
    } finally {
      await alone.shutdown(0);
    }
  });
});
