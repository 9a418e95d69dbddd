import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../src/gateway/config/load.js';
import { Gateway } from '../../src/gateway/gateway.js';
import { defaultRouterFactory } from '../../src/gateway/router-factory.js';
import { memoryLogger } from '../gateway/helpers.js';

// `npm start` serves config/default.yaml, whose demo primary fails about a quarter of its attempts
// on purpose. Users see 0 % errors (fallbacks answer): the alerts must not say otherwise.
describe('alerts after npm start are honest', () => {
  let gateway: Gateway;
  beforeAll(async () => {
    const config = await loadConfigFile(resolve(import.meta.dirname, '../../config/default.yaml'), {});
    gateway = await Gateway.start({ config, createRouter: defaultRouterFactory, logger: memoryLogger('warn').logger, port: 0 });
  });
  afterAll(() => gateway?.shutdown(0));

  it('raises no critical alert while the route error rate is 0 %; the deployment-level signals are warnings naming the fallbacks', async () => {
    const route = gateway.config.routes[0]!.name;
    const statuses: number[] = [];
    for (let i = 0; i < 80; i++) {
      const res = await fetch(`${gateway.url}/v1/chat/completions`, {
        method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: route, messages: [{ role: 'user', content: `question ${i}` }] }),
      });
      await res.text();
      statuses.push(res.status);
    }
    expect(statuses.every((s) => s === 200)).toBe(true);
    const ops = gateway.ops.ops;
    await ops.alerts.flush();
    ops.alerts.evaluate();
    const sla = ops.sla();
    expect(sla.routes[route]!.windows['5m'].errors).toBe(0);
    const active = ops.alerts.active();
    expect(active.filter((a) => a.severity === 'critical')).toEqual([]);
    const groupAlert = active.find((a) => a.rule === 'error_rate' && a.subject.startsWith('group/'));
    expect(groupAlert).toBeDefined();
    expect(groupAlert!.severity).toBe('warning');
    expect(groupAlert!.labels.seen_by).toBe('fallbacks');
    expect(groupAlert!.summary).toMatch(/fallbacks absorb them/);
    // The primary really failed attempts: the deployment-level figure is not 0.
    const attemptsFailed = Object.values(sla.groups).reduce((n, g) => n + g.windows['5m'].errors, 0);
    expect(attemptsFailed).toBeGreaterThan(0);
  });
});
