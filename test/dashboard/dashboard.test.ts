import { mkdirSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../src/gateway/gateway.js';
import { DOWN, setFaults, startTestGateway, testConfigYaml } from '../gateway/helpers.js';

// The dashboard in a real browser (Debian's Chromium, driven by playwright-core; never a
// downloaded browser): while traffic runs and the mock primary starts failing, the page shows
// the primary's breaker opening, the served-by mix moving to the secondary and the alert.

const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOT = 'test-output/dashboard.png';

describe('dashboard in a browser', () => {
  let gateway: Gateway;
  let browser: Browser;
  let traffic = true;
  let loop: Promise<void> | undefined;

  beforeAll(async () => {
    gateway = await startTestGateway(testConfigYaml(`
alerts: { evaluateEvery: 300ms }
`).replace('breaker: { failureThreshold: 1000 }', 'breaker: { failureThreshold: 3, openMs: 60s }'));
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
    const send = async (model: string) => {
      const res = await fetch(`${gateway.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model, messages: [{ role: 'user', content: `question ${Math.random()}` }] }),
      });
      await res.text();
    };
    loop = (async () => {
      while (traffic) {
        await Promise.all([send('gpt-4'), send('claude-sonnet')]);
        await new Promise((r) => setTimeout(r, 40));
      }
    })();
  });

  afterAll(async () => {
    traffic = false;
    await loop;
    await browser?.close();
    await gateway?.shutdown(2000);
  });

  it('shows the breaker opening and the served-by mix moving to the secondary, live', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1500 } });
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    await page.goto(`${gateway.url}/dashboard`);

    const primaryRow = 'article[data-route="gpt-4"] tr[data-deployment="primary-gpt4"]';
    await page.waitForSelector('#conn[data-state="live"]', { timeout: 5000 });
    await page.waitForSelector(`${primaryRow}[data-breaker="closed"]`, { timeout: 5000 });
    await page.waitForFunction(() => Number((document.querySelector('article[data-route="gpt-4"]') as HTMLElement | null)?.dataset.mixPrimary ?? 0) > 0, undefined, { timeout: 5000 });
    const before = await page.$eval('article[data-route="gpt-4"]', (el) => ({ ...(el as HTMLElement).dataset }));
    expect(Number(before.mixSecondary)).toBe(0);
    expect(await page.locator('canvas').count()).toBeGreaterThanOrEqual(4); // uPlot drew two charts per route

    setFaults(gateway, { primary: DOWN });

    await page.waitForSelector(`${primaryRow}[data-breaker="open"]`, { timeout: 8000 });
    await page.waitForFunction(() => Number((document.querySelector('article[data-route="gpt-4"]') as HTMLElement | null)?.dataset.mixSecondary ?? 0) > 0, undefined, { timeout: 5000 });
    await page.waitForSelector('#alerts li[data-alert="breaker_opened:primary-gpt4"]', { timeout: 5000 });
    await page.waitForSelector('#timeline li[data-kind="breaker"]', { timeout: 5000 });
    const breakerText = await page.textContent(`${primaryRow} .breaker`);
    expect(breakerText).toMatch(/^open/);
    // The secondary kept its breaker closed and answers.
    expect(await page.getAttribute('article[data-route="gpt-4"] tr[data-deployment="secondary-gpt35"]', 'data-breaker')).toBe('closed');

    await page.waitForTimeout(1200); // let the charts draw a second or two of the failover
    mkdirSync('test-output', { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(problems).toEqual([]);
    await page.close();
  });

  it('labels whose error rate it is, raises no critical alert while users see no errors, and shows tokens/s and the last hour', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1700 } });
    await page.goto(`${gateway.url}/dashboard`);
    const route = 'article[data-route="gpt-4"]';
    await page.waitForSelector(`${route} tr[data-deployment="primary-gpt4"]`, { timeout: 5000 });
    // The primary fails every attempt (its deployment error rate is high), the secondary answers: users see 0 %.
    await page.waitForFunction((sel) => document.querySelector(`${sel} [data-fig="route-error-rate"] b`)?.textContent === '0.0 %', route, { timeout: 8000 });
    expect(await page.textContent(`${route} [data-fig="route-error-rate"]`)).toMatch(/route error rate \(what users see\)/);
    expect(await page.textContent(`${route} thead`)).toContain('deployment error rate (1m, absorbed by fallbacks)');
    expect(await page.textContent('.legend-note')).toMatch(/what users see.*what fallbacks absorb/s);
    await page.waitForSelector('#alerts li[data-alert="breaker_opened:primary-gpt4"]', { timeout: 5000 });
    expect(await page.textContent('#alerts li[data-alert="breaker_opened:primary-gpt4"] .pill')).toBe('warning');
    expect(await page.locator('#alerts li.critical').count()).toBe(0);
    // Tokens per second and the one-hour history chart.
    await page.waitForFunction((sel) => parseFloat(document.querySelector(`${sel} [data-fig="tokens"] b`)?.textContent ?? '0') > 0, route, { timeout: 5000 });
    expect(await page.locator(`${route} .chart-title`).allTextContents()).toEqual([
      'requests per second, by who answered', 'mean latency per second (ms)', 'tokens per second (input + output)', 'last hour, per minute: requests by who answered',
    ]);
    // Per-tenant view: the keyless test gateway serves everything as tenant `default`.
    await page.waitForFunction(() => Number((document.querySelector('#tenants tr[data-tenant="default"]') as HTMLElement | null)?.dataset.requests ?? 0) > 0, undefined, { timeout: 5000 });
    mkdirSync('test-output', { recursive: true });
    await page.screenshot({ path: 'test-output/dashboard-honest-labels.png', fullPage: true });
    await page.close();
  });

  it('isolates, releases, drains and undrains a deployment from the page (operator actions, admin endpoints)', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1700 } });
    await page.goto(`${gateway.url}/dashboard`);
    const row = 'article[data-route="claude-sonnet"] tr[data-deployment="secondary-haiku"]';
    await page.waitForSelector(`${row}[data-breaker="closed"]`, { timeout: 5000 });
    await page.click(`${row} button[data-action="isolate"]`);
    await page.waitForSelector(`${row}[data-breaker="isolated"]`, { timeout: 5000 });
    expect(await page.getAttribute('#action-status', 'data-result')).toBe('ok');
    expect(gateway.router.inspect().routes.find((r) => r.name === 'claude-sonnet')!.chain[1].deployments[0].breaker).toBe('isolated');
    await page.waitForSelector('#timeline li[data-kind="admin"]', { timeout: 5000 });
    await page.screenshot({ path: 'test-output/dashboard-isolated.png', fullPage: true });
    await page.click(`${row} button[data-action="release"]`);
    await page.waitForSelector(`${row}[data-breaker="closed"]`, { timeout: 5000 });
    await page.click(`${row} button[data-action="drain"]`);
    await page.waitForFunction((sel) => /drained/.test(document.querySelector(`${sel} .breaker`)?.textContent ?? ''), row, { timeout: 5000 });
    await page.click(`${row} button[data-action="undrain"]`);
    await page.waitForFunction((sel) => !/drained/.test(document.querySelector(`${sel} .breaker`)?.textContent ?? ''), row, { timeout: 5000 });
    expect(gateway.router.inspect().routes.find((r) => r.name === 'claude-sonnet')!.chain[1].deployments[0].drained).toBe(false);
    await page.close();
  });
});
