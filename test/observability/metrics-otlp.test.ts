import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parseConfig } from '../../src/gateway/config/load.js';
import { Gateway } from '../../src/gateway/gateway.js';
import { defaultRouterFactory } from '../../src/gateway/router-factory.js';
import { GEN_AI_DURATION_BUCKETS_S } from '../../src/ops/defaults.js';
import { OpsMetrics } from '../../src/ops/metrics.js';
import { startMetricsExport } from '../../src/ops/metrics-export/start-metrics-export.js';
import { memoryLogger } from '../gateway/helpers.js';
import { fallbackGatewayYaml, listen, otlpReceiver } from './otlp-fixture.js';

// The OpenTelemetry metrics export against a real OTLP/HTTP receiver on loopback: the official
// exporter posts OTLP/JSON (OpenTelemetry JS ships no request decoder; the payload is read as the
// OTLP/JSON mapping defines it, as the tracing test does).

interface OtlpValue { stringValue?: string; intValue?: string | number; boolValue?: boolean; doubleValue?: number }
interface OtlpKeyValue { key: string; value: OtlpValue }
interface OtlpNumberPoint { attributes: OtlpKeyValue[]; asDouble?: number; asInt?: string | number; startTimeUnixNano: string; timeUnixNano: string }
interface OtlpHistogramPoint { attributes: OtlpKeyValue[]; count: string | number; sum?: number; bucketCounts: Array<string | number>; explicitBounds: number[] }
interface OtlpMetric {
  name: string; description: string; unit?: string;
  sum?: { dataPoints: OtlpNumberPoint[]; aggregationTemporality: number; isMonotonic: boolean };
  gauge?: { dataPoints: OtlpNumberPoint[] };
  histogram?: { dataPoints: OtlpHistogramPoint[]; aggregationTemporality: number };
}
interface OtlpMetricsRequest { resourceMetrics: Array<{ resource: { attributes: OtlpKeyValue[] }; scopeMetrics: Array<{ scope: { name: string }; metrics: OtlpMetric[] }> }> }

const AGGREGATION_TEMPORALITY_CUMULATIVE = 2;
const PROMPT = 'a metrics-test prompt nobody may export';
const ANSWER = 'an answer that stays out of metrics';
const UPSTREAM_KEY = 'sk-upstream-key-never-in-metrics';
const CLIENT_KEY = 'client-key-never-in-metrics';

const attrs = (kvs: OtlpKeyValue[]) => Object.fromEntries(kvs.map((kv) => [kv.key, kv.value.stringValue ?? kv.value.intValue ?? kv.value.boolValue ?? kv.value.doubleValue]));
const valueOf = (p: OtlpNumberPoint) => Number(p.asDouble ?? p.asInt ?? 0);

describe('metrics export: gateway → real OTLP/HTTP receiver on loopback', () => {
  const { server: receiver, payloads } = otlpReceiver();
  let upstream: Server;
  let receiverPort: number;
  let gateway: Gateway;

  beforeAll(async () => {
    upstream = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        if (req.url?.startsWith('/primary/')) {
          res.writeHead(503, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'overloaded', type: 'server_error' } }));
          return;
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({
          id: 'chatcmpl-1', object: 'chat.completion', created: 1_700_000_000, model: 'small-model',
          choices: [{ index: 0, message: { role: 'assistant', content: ANSWER }, finish_reason: 'stop' }],
          usage: { prompt_tokens: 11, completion_tokens: 7, total_tokens: 18 },
        }));
      });
    });
    let upstreamPort: number;
    [receiverPort, upstreamPort] = await Promise.all([listen(receiver), listen(upstream)]);
    const config = parseConfig(fallbackGatewayYaml(upstreamPort,
      `metricsExport: { enabled: true, endpoint: "http://127.0.0.1:${receiverPort}", serviceName: bulwark-metrics-under-test, interval: 60s }`), { source: 'metrics.yaml', env: { UPSTREAM_KEY } });
    gateway = await Gateway.start({ config, createRouter: defaultRouterFactory, logger: memoryLogger('warn').logger });
  });

  afterAll(async () => {
    await gateway?.shutdown(0);
    await new Promise((r) => receiver?.close(r));
    await new Promise((r) => upstream?.close(r));
  });

  it('exports the /metrics instruments (requests, attempts, tokens, latency histogram, breaker, runtime) with their values, and no prompt, answer or key', async () => {
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`${gateway.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${CLIENT_KEY}` },
        body: JSON.stringify({ model: 'gpt-4', messages: [{ role: 'user', content: PROMPT }] }),
      });
      expect(res.headers.get('x-bulwark-served-by')).toBe('secondary-small');
      await res.text();
    }
    await gateway.metricsExport!.flush();
    const exported = payloads.filter((p) => p.path === '/v1/metrics');
    expect(exported.length).toBeGreaterThanOrEqual(1);
    const request = JSON.parse(exported.at(-1)!.body) as OtlpMetricsRequest;
    expect(attrs(request.resourceMetrics[0]!.resource.attributes)['service.name']).toBe('bulwark-metrics-under-test');
    const metrics = new Map(request.resourceMetrics.flatMap((r) => r.scopeMetrics.flatMap((s) => s.metrics)).map((m) => [m.name, m]));

    const requests = metrics.get('bulwark_requests')!;
    expect(requests.sum).toMatchObject({ isMonotonic: true, aggregationTemporality: AGGREGATION_TEMPORALITY_CUMULATIVE });
    const served = requests.sum!.dataPoints.filter((p) => attrs(p.attributes).served_by === 'secondary-small');
    expect(served.map((p) => attrs(p.attributes))).toEqual([{ route: 'gpt-4', group: 'small', served_by: 'secondary-small', status: 'ok', tenant: 'other', stream: 'false' }]);
    expect(valueOf(served[0]!)).toBe(3);

    const failedAttempts = metrics.get('bulwark_attempts')!.sum!.dataPoints.filter((p) => attrs(p.attributes).deployment === 'primary-big');
    expect(failedAttempts.map((p) => [attrs(p.attributes).status, valueOf(p)])).toEqual([['error', 3]]);

    const tokens = metrics.get('bulwark_tokens')!.sum!.dataPoints;
    const tokensOf = (type: string) => tokens.filter((p) => attrs(p.attributes).gen_ai_token_type === type).reduce((n, p) => n + valueOf(p), 0);
    expect([tokensOf('input'), tokensOf('output')]).toEqual([33, 21]);

    const duration = metrics.get('gen_ai_client_operation_duration_seconds')!;
    expect(duration.unit).toBe('s');
    expect(duration.histogram!.aggregationTemporality).toBe(AGGREGATION_TEMPORALITY_CUMULATIVE);
    const point = duration.histogram!.dataPoints.find((p) => attrs(p.attributes).served_by === 'secondary-small')!;
    expect(Number(point.count)).toBe(3);
    expect(point.explicitBounds).toEqual(GEN_AI_DURATION_BUCKETS_S);
    expect(point.bucketCounts).toHaveLength(GEN_AI_DURATION_BUCKETS_S.length + 1);
    expect(point.bucketCounts.reduce<number>((n, c) => n + Number(c), 0)).toBe(3);
    expect(point.sum).toBeGreaterThan(0);

    const breaker = metrics.get('bulwark_breaker_state')!;
    expect(breaker.gauge!.dataPoints.map((p) => attrs(p.attributes).deployment).sort()).toEqual(['primary-big', 'secondary-small']);
    expect(metrics.get('nodejs_eventloop_lag_p99_seconds')?.gauge?.dataPoints).toHaveLength(1);

    // Every family /metrics shows is exported (counters without Prometheus' _total).
    const text = await gateway.ops.ops.metricsText();
    const families = [...text.matchAll(/^# TYPE (\S+) (counter|gauge|histogram)$/gm)].map(([, name, type]) => (type === 'counter' ? name!.replace(/_total$/, '') : name!));
    expect([...metrics.keys()]).toEqual(expect.arrayContaining(families));

    const everything = exported.map((p) => p.body).join('\n');
    for (const secret of [PROMPT, ANSWER, UPSTREAM_KEY, CLIENT_KEY]) expect(everything).not.toContain(secret);
  });
});

describe('metrics export settings', () => {
  it('is off by default and loads nothing', async () => {
    expect(await startMetricsExport({ enabled: false }, '0.0.0', () => [], {})).toBeUndefined();
    expect(await startMetricsExport({ enabled: true }, '0.0.0', () => [], { OTEL_SDK_DISABLED: 'true' })).toBeUndefined();
  });

  it('follows OTEL_METRICS_EXPORTER, OTEL_EXPORTER_OTLP_METRICS_ENDPOINT and OTEL_SERVICE_NAME', async () => {
    const { server: receiver, payloads: bodies } = otlpReceiver();
    const port = await listen(receiver);
    vi.stubEnv('OTEL_METRICS_EXPORTER', 'otlp');
    vi.stubEnv('OTEL_EXPORTER_OTLP_METRICS_ENDPOINT', `http://127.0.0.1:${port}/collector/v1/metrics`);
    vi.stubEnv('OTEL_SERVICE_NAME', 'from-env');
    const metrics = new OpsMetrics();
    metrics.probe('primary', true);
    try {
      const exporting = await startMetricsExport({ enabled: false }, '1.2.3', () => metrics.registries());
      expect(exporting).toBeDefined();
      await exporting!.shutdown();
      expect(bodies.map((b) => b.path)).toEqual(['/collector/v1/metrics']);
      const request = JSON.parse(bodies[0]!.body) as OtlpMetricsRequest;
      expect(attrs(request.resourceMetrics[0]!.resource.attributes)).toMatchObject({ 'service.name': 'from-env', 'service.version': '1.2.3' });
      const probes = request.resourceMetrics[0]!.scopeMetrics.flatMap((s) => s.metrics).find((m) => m.name === 'bulwark_probes')!;
      expect(probes.sum!.dataPoints.map((p) => [attrs(p.attributes), valueOf(p)])).toEqual([[{ deployment: 'primary', status: 'pass' }, 1]]);
    } finally {
      vi.unstubAllEnvs();
      await new Promise((r) => receiver.close(r));
    }
  });
});
