import { describe, expect, it } from 'vitest';
import { FakeClock } from '../core/fake-clock.js';
import { createOps } from './ops.js';
import type { HealthSnapshot } from './health.js';
import { HEALTH_CONTENT_TYPE, healthHttpStatus } from './health.js';
import { attemptEvent, silentLogger } from './test-events.js';

type Dep = HealthSnapshot['routes'][number]['groups'][number]['deployments'][number];
const dep = (id: string, over: Partial<Dep> = {}): Dep => ({ id, breaker: 'closed', ejected: false, ...over });
const snapshot = (primary: Dep[], secondary: Dep[], required = true): HealthSnapshot => ({
  routes: [{ name: 'gpt-4', required, groups: [{ name: 'gpt4', deployments: primary }, { name: 'claude', deployments: secondary }] }],
});

function setup() {
  const clock = new FakeClock();
  const ops = createOps({ alerts: { enabled: false } }, { clock, logger: silentLogger, version: '0.1.0' });
  return { clock, ops };
}

describe('health (application/health+json)', () => {
  it('can build its own snapshot from the topology and the events it saw', () => {
    const clock = new FakeClock();
    const ops = createOps(
      { topology: { groups: { gpt4: ['a'], mini: ['b'] }, routes: { 'gpt-4': { chain: ['gpt4', 'mini'] } } }, alerts: { enabled: false } },
      { clock, logger: silentLogger },
    );
    ops.observe.breaker({ group: 'gpt4', deployment: 'a', from: 'closed', to: 'open', reason: 'failures', at: clock.now() });
    expect(ops.health(ops.healthSnapshot()).status).toBe('warn');
    ops.observe.ejection({ group: 'mini', deployment: 'b', ejected: true, at: clock.now() });
    const snap = ops.healthSnapshot();
    expect(snap.routes[0]).toMatchObject({ name: 'gpt-4', required: true, groups: [{ name: 'gpt4', deployments: [{ id: 'a', breaker: 'open' }] }, { name: 'mini', deployments: [{ id: 'b', ejected: true }] }] });
    expect(ops.healthStatusCode(ops.health(snap))).toBe(503);
    ops.close();
  });

  it('passes when everything is closed and quiet', () => {
    const { ops } = setup();
    const report = ops.health(snapshot([dep('a'), dep('b')], [dep('c')]));
    expect(report.status).toBe('pass');
    expect(ops.healthStatusCode(report)).toBe(200);
    expect(HEALTH_CONTENT_TYPE).toBe('application/health+json');
    expect(Object.keys(report.checks).sort()).toEqual([
      'a:breaker', 'a:error-rate', 'a:latency', 'b:breaker', 'b:error-rate', 'b:latency', 'c:breaker', 'c:error-rate', 'c:latency', 'gpt-4:usable-deployments',
    ]);
    const check = report.checks['a:breaker'][0];
    expect(check).toMatchObject({ componentId: 'a', componentType: 'deployment', observedValue: 'closed', status: 'pass' });
    expect(Date.parse(check.time)).not.toBeNaN();
    expect(report.version).toBe('0.1.0');
    ops.close();
  });

  it('warns when a deployment is open or ejected, with the last error kind but no secrets', () => {
    const { ops } = setup();
    const report = ops.health(snapshot([dep('a', { breaker: 'open', lastErrorKind: 'timeout' }), dep('b')], [dep('c', { ejected: true })]));
    expect(report.status).toBe('warn');
    expect(healthHttpStatus(report)).toBe(200);
    expect(report.checks['a:breaker'][0]).toMatchObject({ status: 'warn', observedValue: 'open', output: 'last error: timeout' });
    expect(report.checks['c:breaker'][0]).toMatchObject({ status: 'warn', observedValue: 'ejected' });
    expect(report.checks['gpt-4:usable-deployments'][0]).toMatchObject({ status: 'pass', observedValue: 1 });
    ops.close();
  });

  it('warns on a deployment error rate above the threshold (from the SLA windows)', () => {
    const { clock, ops } = setup();
    for (let i = 0; i < 20; i++) ops.observe.attempt(attemptEvent(clock.now(), { deployment: 'a', ok: i % 4 !== 0, errorKind: i % 4 === 0 ? 'server_error' : undefined }));
    const report = ops.health(snapshot([dep('a'), dep('b')], [dep('c')]));
    expect(report.status).toBe('warn');
    expect(report.checks['a:error-rate'][0]).toMatchObject({ status: 'warn', observedValue: 25, observedUnit: 'percent' });
    expect(report.checks['b:error-rate'][0].status).toBe('pass');
    ops.close();
  });

  it('fails (503) when a required route has no usable deployment; a non-required one only warns', () => {
    const { ops } = setup();
    const down = snapshot([dep('a', { breaker: 'open' }), dep('b', { breaker: 'isolated' })], [dep('c', { ejected: true })]);
    const report = ops.health(down);
    expect(report.status).toBe('fail');
    expect(ops.healthStatusCode(report)).toBe(503);
    expect(report.output).toContain('gpt-4');
    expect(report.checks['gpt-4:usable-deployments'][0]).toMatchObject({ status: 'fail', observedValue: 0 });
    const optional = ops.health(snapshot([dep('a', { breaker: 'open' })], [], false));
    expect(optional.status).toBe('warn');
    // half-open still takes probe traffic: usable.
    expect(ops.health(snapshot([dep('a', { breaker: 'half-open' })], [])).checks['gpt-4:usable-deployments'][0].status).toBe('pass');
    ops.close();
  });
});
