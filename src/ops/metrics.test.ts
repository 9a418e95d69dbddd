import { afterEach, describe, expect, it } from 'vitest';
import { register as globalRegistry } from 'prom-client';
import { FakeClock } from '../core/fake-clock.js';
import type { Ops } from './ops.js';
import { createOps } from './ops.js';
import { attemptEvent, breakerEvent, ejectionEvent, failedRequest, requestEvent, silentLogger } from './test-events.js';

/** Parses the Prometheus text format into samples (name, labels, value). */
function parse(text: string) {
  const samples: Array<{ name: string; labels: Record<string, string>; value: number }> = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`unparseable line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]] = l[2];
    samples.push({ name: m[1], labels, value: Number(m[3]) });
  }
  return samples;
}

let ops: Ops | undefined;
afterEach(() => ops?.close());

describe('metrics text', () => {
  it('exposes the GenAI names with the spec buckets and low-cardinality labels', async () => {
    const clock = new FakeClock();
    ops = createOps({
      topology: { groups: { gpt4: ['openai-east', 'azure-west'] }, routes: { 'gpt-4': { chain: ['gpt4'] } } },
      metrics: { tenants: ['acme'] },
      alerts: { enabled: false },
    }, { clock, logger: silentLogger });
    const now = clock.now();
    ops.observe.request(requestEvent(now, { tenant: 'acme', durationMs: 1500, stream: true, ttftMs: 300 }));
    ops.observe.request(requestEvent(now, { tenant: 'req-7f3a-random-tenant', fallbackDepth: 1, attempts: 3, cacheHit: true, servedBy: 'cache' }));
    ops.observe.request(failedRequest(now, { tenant: 'someone', route: 'made-up-model-name-123' }));
    ops.observe.request(failedRequest(now, { errorKind: 'shed', attempts: 0 }));
    ops.observe.request(failedRequest(now, { errorKind: 'rate_limited', attempts: 0 }));
    ops.observe.attempt(attemptEvent(now, { ok: false, errorKind: 'timeout', durationMs: 30_000 }));
    ops.observe.breaker(breakerEvent(now, 'openai-east', 'open'));
    ops.observe.ejection(ejectionEvent(now, 'azure-west', true));
    ops.observe.inFlight('gpt-4', 1);
    ops.observe.overhead(0.4);

    const text = await ops.metricsText();
    const samples = parse(text);
    const names = new Set(samples.map((s) => s.name));
    for (const name of [
      'gen_ai_client_operation_duration_seconds_bucket', 'gen_ai_client_operation_time_to_first_chunk_seconds_bucket',
      'gen_ai_client_token_usage_bucket', 'bulwark_requests_total', 'bulwark_attempts_total', 'bulwark_breaker_state',
      'bulwark_requests_in_flight', 'bulwark_retries_total', 'bulwark_fallbacks_total', 'bulwark_cache_lookups_total',
      'bulwark_rejections_total', 'bulwark_gateway_overhead_seconds_bucket', 'bulwark_group_usable_deployments', 'bulwark_requests_slow_total',
    ]) expect(names, name).toContain(name);

    const les = samples.filter((s) => s.name === 'gen_ai_client_operation_duration_seconds_bucket' && s.labels.served_by === 'openai-east' && s.labels.error_type === '').map((s) => s.labels.le);
    expect(les).toEqual(['0.01', '0.02', '0.04', '0.08', '0.16', '0.32', '0.64', '1.28', '2.56', '5.12', '10.24', '20.48', '40.96', '81.92', '+Inf']);
    const d = samples.find((s) => s.name === 'gen_ai_client_operation_duration_seconds_bucket' && s.labels.le === '1.28' && s.labels.served_by === 'openai-east')!;
    expect(d.labels).toMatchObject({ gen_ai_operation_name: 'chat', gen_ai_request_model: 'gpt-4' });
    const tokenTypes = new Set(samples.filter((s) => s.name === 'gen_ai_client_token_usage_count').map((s) => s.labels.gen_ai_token_type));
    expect([...tokenTypes].sort()).toEqual(['input', 'output']);

    // Tenants: configured kept, the rest collapsed; unknown routes collapsed too.
    const tenants = new Set(samples.filter((s) => s.name === 'bulwark_requests_total').map((s) => s.labels.tenant));
    expect([...tenants].sort()).toEqual(['acme', 'other']);
    expect(text).not.toContain('req-7f3a');
    expect(text).not.toContain('made-up-model-name-123');
    // No request-scoped label names anywhere.
    const labelNames = new Set(samples.flatMap((s) => Object.keys(s.labels)));
    for (const forbidden of ['request_id', 'id', 'user', 'message']) expect(labelNames).not.toContain(forbidden);

    const value = (name: string, labels: Record<string, string>) => samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
    expect(value('bulwark_breaker_state', { deployment: 'openai-east' })).toBe(1);
    expect(value('bulwark_breaker_state', { deployment: 'azure-west' })).toBe(0);
    expect(value('bulwark_deployment_ejected', { deployment: 'azure-west' })).toBe(1);
    expect(value('bulwark_group_usable_deployments', { group: 'gpt4', role: 'primary' })).toBe(0);
    expect(value('bulwark_fallbacks_total', { route: 'gpt-4', depth: '1' })).toBe(1);
    expect(value('bulwark_retries_total', { route: 'gpt-4' })).toBe(2); // 3 attempts
    expect(value('bulwark_retries_total', { route: 'other' })).toBe(1); // the unknown route's 2 attempts
    expect(value('bulwark_rejections_total', { reason: 'shed' })).toBe(1);
    expect(value('bulwark_rejections_total', { reason: 'rate_limited' })).toBe(1);
    expect(value('bulwark_cache_lookups_total', { result: 'hit' })).toBe(1);
    expect(value('bulwark_requests_total', { status: 'client_error', error_type: 'rate_limited' })).toBe(1);
    expect(value('bulwark_requests_total', { status: 'error', error_type: 'shed' })).toBe(1);
    expect(value('bulwark_requests_slow_total', { route: 'gpt-4' })).toBe(0); // 1500 ms < 2000 ms SLO threshold
    expect(value('bulwark_requests_in_flight', { route: 'gpt-4' })).toBe(1);
    expect(value('bulwark_attempts_total', { deployment: 'openai-east', status: 'error', error_type: 'timeout' })).toBe(1);
    // Its own registry: nothing leaks into prom-client's global one.
    expect(await globalRegistry.metrics()).not.toContain('bulwark_');
  });
});

describe('route labels without a topology', () => {
  it('keeps the first names seen and collapses the rest to other', async () => {
    const clock = new FakeClock();
    const local = createOps({ alerts: { enabled: false } }, { clock, logger: silentLogger });
    for (let i = 0; i < 80; i++) local.observe.request(requestEvent(clock.now(), { route: `model-${i}` }));
    const routes = new Set(parse(await local.metricsText()).filter((s) => s.name === 'bulwark_requests_total').map((s) => s.labels.route));
    expect(routes.size).toBe(51);
    expect(routes.has('model-0') && routes.has('model-49') && routes.has('other')).toBe(true);
    expect(Object.keys(local.sla().routes)).toHaveLength(51);
    local.close();
  });
});

describe('attach', () => {
  it('subscribes to a router-like event source and detaches cleanly', async () => {
    const { EventEmitter } = await import('../core/events.js');
    const clock = new FakeClock();
    const local = createOps({ alerts: { enabled: false } }, { clock, logger: silentLogger });
    const router = { req: new EventEmitter<any>(), att: new EventEmitter<any>(), brk: new EventEmitter<any>(), ej: new EventEmitter<any>() };
    const detach = local.attach({ onRequest: router.req.event, onAttempt: router.att.event, onBreaker: router.brk.event, onEjection: router.ej.event });
    router.req.emit(requestEvent(clock.now()));
    router.brk.emit(breakerEvent(clock.now(), 'x', 'open'));
    expect(local.sla().routes['gpt-4'].windows['1m'].requests).toBe(1);
    expect(local.deployments().find((d) => d.id === 'x')!.breaker).toBe('open');
    detach();
    expect(router.req.hasListeners || router.att.hasListeners || router.brk.hasListeners || router.ej.hasListeners).toBe(false);
    local.close();
  });
});
