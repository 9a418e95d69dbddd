import { createServer } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { type MockProvider, startMockProvider } from '../mock/index.js';
import { runExperiment } from './run-experiment.js';
import { interpolateEnv, parseExperiment } from './schema.js';

let mock: MockProvider | undefined;
afterEach(async () => {
  await mock?.close();
  mock = undefined;
});

// The mock speaks the OpenAI API itself, so it stands in for the gateway here: the point is the
// experiment engine (hypothesis, method under load, rollbacks, verdict) over real HTTP.
const experiment = (url: string, extra: Record<string, unknown> = {}) => parseExperiment({
  title: 'outage',
  target: { gateway: url, mock: url },
  steadyState: { probes: [
    { name: 'models listed', type: 'http', url: '/v1/models', expectBodyContains: 'gpt-4o' },
    { name: 'answers', type: 'load', rate: 40, duration: '500ms', model: 'gpt-4o', tolerance: { successRate: 0.99, p95Ms: 1000 } },
  ] },
  load: { rate: 40, duration: '1s', model: 'gpt-4o', thresholds: { http_req_failed: ['rate<0.01'] } },
  method: [{ action: 'mock.profile', preset: 'down' }, { wait: '600ms' }],
  rollbacks: [{ action: 'mock.reset' }],
  ...extra,
});

describe('chaos experiments', () => {
  it('an outage nothing absorbs fails the load threshold; rollbacks still restore the steady state', async () => {
    mock = await startMockProvider();
    const result = await runExperiment(experiment(mock.url));
    expect(result.before.every((p) => p.ok)).toBe(true);
    expect(result.verdict).toBe('failed');
    expect(result.reasons.join('\n')).toMatch(/threshold failed: http_req_failed: rate<0.01/);
    expect(result.load!.errors).toBeGreaterThan(0);
    expect(result.timeline.filter((e) => e.phase === 'rollback').map((e) => e.what)).toEqual(['mock.reset']);
    expect(result.after.every((p) => p.ok)).toBe(true);
    expect(mock.profile()).toEqual((await startMockProvider().then(async (m) => { const p = m.profile(); await m.close(); return p; })));
  });

  it('a fault within tolerance passes', async () => {
    mock = await startMockProvider();
    const result = await runExperiment(experiment(mock.url, {
      method: [{ action: 'mock.profile', patch: { default: { latency: { kind: 'fixed', ms: 20 } } } }, { wait: '300ms' }],
    }));
    expect(result.reasons).toEqual([]);
    expect(result.verdict).toBe('passed');
    expect(result.load!.latency.medMs).toBeGreaterThanOrEqual(19);
  });

  it('does not touch anything when the steady state does not hold before', async () => {
    mock = await startMockProvider({ profile: 'down' });
    const result = await runExperiment(experiment(mock.url));
    expect(result.verdict).toBe('aborted');
    expect(result.timeline.some((e) => e.phase === 'method' || e.phase === 'rollback')).toBe(false);
  });

  it('an interruption stops the method and still runs the rollbacks', async () => {
    mock = await startMockProvider();
    const stop = new AbortController();
    const result = await runExperiment(experiment(mock.url, { method: [{ action: 'mock.profile', preset: 'down' }, { wait: '30s' }] }), {
      signal: stop.signal,
      onEvent: (e) => { if (e.what.startsWith('mock profile')) setTimeout(() => stop.abort(), 100); },
    });
    expect(result.verdict).toBe('interrupted');
    expect(result.timeline.find((e) => e.what === 'wait 30000 ms')).toMatchObject({ ok: false, detail: 'cut short by the interruption' });
    expect(result.timeline.at(-1)).toMatchObject({ phase: 'rollback', what: 'mock.reset', ok: true });
    expect(result.durationMs).toBeLessThan(15_000);
  });

  it('an interruption while the steady state is checked (before or after) is interrupted, never passed', async () => {
    mock = await startMockProvider();
    for (const phase of ['steady-state-before', 'steady-state-after']) {
      const stop = new AbortController();
      const result = await runExperiment(experiment(mock.url, { load: undefined, method: [{ wait: '1ms' }] }), {
        signal: stop.signal,
        // The load probe comes second: interrupt while it runs.
        onEvent: (e) => { if (e.phase === phase && e.what === 'probe models listed') setTimeout(() => stop.abort(), 100); },
      });
      expect(result.verdict, phase).toBe('interrupted');
    }
  });

  it('a method action whose target is down fails the step (no exception), stops the method and still runs the rollbacks', async () => {
    mock = await startMockProvider();
    const result = await runExperiment(experiment(mock.url, {
      target: { gateway: mock.url, mock: mock.url, faults: 'http://127.0.0.1:1' },
      load: undefined,
      method: [{ action: 'faults.reset' }, { wait: '30s' }],
      rollbacks: [{ action: 'mock.reset' }, { action: 'faults.reset' }],
    }));
    expect(result.verdict).toBe('failed');
    expect(result.reasons[0]).toMatch(/^method step failed: faults\.reset: ECONNREFUSED/);
    expect(result.reasons).toContain('the method stopped at its first failed step; the remaining 1 step(s) did not run');
    expect(result.timeline.some((e) => e.what.startsWith('wait'))).toBe(false);
    expect(result.timeline.filter((e) => e.phase === 'rollback').map((e) => [e.what, e.ok])).toEqual([['mock.reset', true], ['faults.reset', false]]);
    expect(result.durationMs).toBeLessThan(15_000);
  });

  it('validates load thresholds and steps with readable messages (an invalid experiment is caught before anything runs)', () => {
    const base = { title: 't', target: { gateway: 'http://x' }, steadyState: { probes: [{ name: 'r', type: 'http', url: '/' }] } };
    expect(() => parseExperiment({ ...base, load: { rate: 1, duration: '1s', thresholds: { http_req_failed: ['rate<<0.01'] } }, method: [{ wait: '1s' }] }))
      .toThrow(/load\.thresholds\.http_req_failed\.0: threshold http_req_failed: cannot read 'rate<<0\.01'/);
    expect(() => parseExperiment({ ...base, method: [{ wait: '-1s' }] })).toThrow(/method\.0\.wait: .*\(got "-1s"\)/);
    expect(() => parseExperiment({ ...base, method: [{ action: 'faults.teleport' }] })).toThrow(/method\.0\.action: .*mock\.profile/);
    expect(() => parseExperiment({ ...base, method: [{ action: 'gateway.admin', path: 'no-slash' }] })).toThrow(/method\.0\.path/);
  });

  it('sends the gateway and admin keys to the gateway only, never to another host named by a probe or an admin path', async () => {
    const seen: Array<string | undefined> = [];
    const other = createServer((req, res) => {
      seen.push(req.headers.authorization);
      res.writeHead(200).end('ok');
    });
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    const otherUrl = `http://127.0.0.1:${(other.address() as { port: number }).port}`;
    try {
      mock = await startMockProvider();
      const target = { gateway: mock.url, mock: mock.url, apiKey: 'gateway-key', adminKey: 'admin-key' };
      const result = await runExperiment(parseExperiment({
        title: 'keys', target,
        steadyState: { probes: [{ name: 'elsewhere', type: 'http', url: `${otherUrl}/admin/status` }] },
        method: [{ wait: '1ms' }],
      }));
      expect(result.before[0].ok).toBe(true);
      expect(seen).toEqual([undefined, undefined]); // the probe runs before and after
      expect(() => parseExperiment({
        title: 'keys', target,
        steadyState: { probes: [{ name: 'r', type: 'http', url: '/readyz' }] },
        method: [{ action: 'gateway.admin', path: `//127.0.0.1:1/admin/x` }],
      })).toThrow(/method\.0\.path: .*a path on the gateway/);
    } finally {
      await new Promise<void>((resolve) => other.close(() => resolve()));
    }
  });

  it('validates experiments with every problem and its path', () => {
    expect(() => parseExperiment({ title: 't', target: { gateway: 'not a url' }, steadyState: { probes: [] }, method: [{ action: 'faults.reset' }, { wait: 'soon' }] }))
      .toThrow(/target\.gateway[\s\S]*steadyState\.probes[\s\S]*method\.1/);
    expect(() => parseExperiment({ title: 't', target: { gateway: 'http://x' }, steadyState: { probes: [{ name: 'r', type: 'http', url: '/' }] }, method: [{ action: 'faults.reset' }] }))
      .toThrow(/target\.faults: faults\.\* actions need target\.faults/);
    expect(interpolateEnv('key ${K}', { K: 'v' })).toBe('key v');
    expect(interpolateEnv('${U:-http://x:1}/y ${K:-d}', { K: 'v' })).toBe('http://x:1/y v');
    expect(() => interpolateEnv('${MISSING_VAR_X}', {})).toThrow(/MISSING_VAR_X/);
  });
});
