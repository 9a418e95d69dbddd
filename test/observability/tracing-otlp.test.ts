import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/gateway/config/load.js';
import { Gateway } from '../../src/gateway/gateway.js';
import { defaultRouterFactory } from '../../src/gateway/router-factory.js';
import { memoryLogger } from '../gateway/helpers.js';
import { fallbackGatewayYaml, listen } from './otlp-fixture.js';

/** OTLP/JSON (the OTLP/HTTP exporter's encoding): the fields this test reads. */
interface OtlpValue { stringValue?: string; intValue?: string | number; boolValue?: boolean; doubleValue?: number; arrayValue?: { values: OtlpValue[] } }
interface OtlpSpan {
  traceId: string; spanId: string; parentSpanId?: string; name: string; kind: number;
  attributes: Array<{ key: string; value: OtlpValue }>;
  events?: Array<{ name: string; attributes: Array<{ key: string; value: OtlpValue }> }>;
  status?: { code?: number; message?: string };
}
interface OtlpTraceRequest { resourceSpans: Array<{ resource: { attributes: Array<{ key: string; value: OtlpValue }> }; scopeSpans: Array<{ spans: OtlpSpan[] }> }> }

const SPAN_KIND_SERVER = 2;
const SPAN_KIND_CLIENT = 3;
const STATUS_ERROR = 2;
const PROMPT = 'the secret-garden prompt nobody may trace';
const ANSWER = 'a private answer that stays out of traces';
const UPSTREAM_KEY = 'sk-upstream-key-never-in-traces';
const CLIENT_TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const CLIENT_SPAN_ID = '00f067aa0ba902b7';

function attr(span: { attributes: Array<{ key: string; value: OtlpValue }> }, key: string): string | number | boolean | undefined {
  const v = span.attributes.find((a) => a.key === key)?.value;
  if (v === undefined) return undefined;
  if (v.intValue !== undefined) return Number(v.intValue);
  return v.stringValue ?? v.boolValue ?? v.doubleValue;
}

/** The secondary's streamed answer (OpenAI chunks): the model is named by each chunk, as OpenAI does. */
function streamChunks(): unknown[] {
  const base = { id: 'chatcmpl-stream-1', object: 'chat.completion.chunk', created: 1_700_000_000, model: 'small-model-2026' };
  return [
    { ...base, choices: [{ index: 0, delta: { role: 'assistant', content: ANSWER }, finish_reason: null }] },
    { ...base, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] },
    { ...base, choices: [], usage: { prompt_tokens: 13, completion_tokens: 5, total_tokens: 18 } },
  ];
}

async function exportedSpans(gateway: Gateway, payloads: string[], traceId: string): Promise<OtlpSpan[]> {
  await gateway.tracing!.flush();
  return payloads.flatMap((p) => (JSON.parse(p) as OtlpTraceRequest).resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans)))
    .filter((s) => s.traceId === traceId);
}

describe('tracing: gateway → real OTLP/HTTP receiver on loopback', () => {
  const payloads: string[] = [];
  const upstreamHeaders: Array<{ path: string; headers: IncomingHttpHeaders }> = [];
  let receiver: Server;
  let upstream: Server;
  let gateway: Gateway;
  let flushed: Promise<void>;
  let onPayload: () => void = () => {};

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (req.url === '/v1/traces') payloads.push(Buffer.concat(chunks).toString('utf8'));
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
        onPayload();
      });
    });
    // An OpenAI-compatible upstream: /primary/v1 always fails with 503, /secondary/v1 answers.
    upstream = createServer((req, res) => {
      upstreamHeaders.push({ path: req.url ?? '', headers: req.headers });
      const body: Buffer[] = [];
      req.on('data', (c: Buffer) => body.push(c));
      req.on('end', () => {
        if (req.url?.startsWith('/primary/')) {
          res.writeHead(503, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'overloaded', type: 'server_error' } }));
          return;
        }
        if ((JSON.parse(Buffer.concat(body).toString('utf8')) as { stream?: boolean }).stream === true) {
          res.writeHead(200, { 'content-type': 'text/event-stream' });
          for (const chunk of streamChunks()) res.write(`data: ${JSON.stringify(chunk)}\n\n`);
          res.end('data: [DONE]\n\n');
          return;
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({
          id: 'chatcmpl-upstream-1', object: 'chat.completion', created: 1_700_000_000, model: 'small-model-2026',
          choices: [{ index: 0, message: { role: 'assistant', content: ANSWER }, finish_reason: 'stop' }],
          usage: { prompt_tokens: 11, completion_tokens: 7, total_tokens: 18 },
        }));
      });
    });
    const [receiverPort, upstreamPort] = await Promise.all([listen(receiver), listen(upstream)]);
    const yaml = fallbackGatewayYaml(upstreamPort, `tracing: { enabled: true, endpoint: "http://127.0.0.1:${receiverPort}", serviceName: bulwark-under-test, sampleRatio: 1 }`);
    const config = parseConfig(yaml, { source: 'tracing.yaml', env: { UPSTREAM_KEY } });
    gateway = await Gateway.start({ config, createRouter: defaultRouterFactory, logger: memoryLogger('warn').logger });
  });

  afterAll(async () => {
    await gateway?.shutdown(0);
    await new Promise((r) => receiver?.close(r));
    await new Promise((r) => upstream?.close(r));
  });

  it('exports one server span (parent: the client traceparent) and two attempt spans, GenAI attributes, no prompt, answer or key', async () => {
    const response = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: 'Bearer client-key-not-traced',
        traceparent: `00-${CLIENT_TRACE_ID}-${CLIENT_SPAN_ID}-01`,
        tracestate: 'vendor=abc',
      },
      body: JSON.stringify({ model: 'gpt-4', messages: [{ role: 'user', content: PROMPT }], max_tokens: 50 }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-bulwark-served-by')).toBe('secondary-small');
    await response.text();

    flushed = new Promise<void>((resolve) => (onPayload = resolve));
    await gateway.tracing!.flush();
    await flushed;

    const spans = payloads.flatMap((p) => (JSON.parse(p) as OtlpTraceRequest).resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans)));
    const resource = (JSON.parse(payloads[0]!) as OtlpTraceRequest).resourceSpans[0]!.resource;
    expect(attr(resource, 'service.name')).toBe('bulwark-under-test');

    const servers = spans.filter((s) => s.kind === SPAN_KIND_SERVER);
    expect(servers).toHaveLength(1);
    const server = servers[0]!;
    expect(server.traceId).toBe(CLIENT_TRACE_ID);
    expect(server.parentSpanId).toBe(CLIENT_SPAN_ID);
    expect(server.name).toBe('POST /v1/chat/completions');
    expect(attr(server, 'gen_ai.operation.name')).toBe('chat');
    expect(attr(server, 'gen_ai.request.model')).toBe('gpt-4');
    expect(attr(server, 'gen_ai.response.model')).toBe('small-model-2026');
    expect(attr(server, 'gen_ai.usage.input_tokens')).toBe(11);
    expect(attr(server, 'gen_ai.usage.output_tokens')).toBe(7);
    expect(attr(server, 'gen_ai.request.max_tokens')).toBe(50);
    expect(attr(server, 'bulwark.served_by')).toBe('secondary-small');
    expect(attr(server, 'bulwark.fallback_depth')).toBe(1);
    expect(attr(server, 'bulwark.attempts')).toBe(2);
    expect(attr(server, 'bulwark.degraded')).toBe(false);
    expect(attr(server, 'bulwark.cache_hit')).toBe(false);
    expect(attr(server, 'http.response.status_code')).toBe(200);
    expect(server.events?.map((e) => e.name)).toContain('bulwark.fallback');

    const attempts = spans.filter((s) => s.kind === SPAN_KIND_CLIENT).sort((a, b) => Number(attr(a, 'bulwark.attempt')) - Number(attr(b, 'bulwark.attempt')));
    expect(attempts).toHaveLength(2);
    for (const a of attempts) {
      expect(a.traceId).toBe(CLIENT_TRACE_ID);
      expect(a.parentSpanId).toBe(server.spanId);
      expect(attr(a, 'gen_ai.operation.name')).toBe('chat');
      expect(attr(a, 'gen_ai.provider.name')).toBe('openai');
      expect(attr(a, 'bulwark.breaker.state')).toBe('closed');
    }
    const [failed, answered] = attempts as [OtlpSpan, OtlpSpan];
    expect(attr(failed, 'bulwark.deployment')).toBe('primary-big');
    expect(attr(failed, 'gen_ai.request.model')).toBe('big-model');
    expect(failed.status?.code).toBe(STATUS_ERROR);
    expect(attr(failed, 'error.type')).toBe('overloaded'); // a 503 is the upstream saying it is overloaded
    expect(attr(answered, 'bulwark.deployment')).toBe('secondary-small');
    expect(attr(answered, 'bulwark.attempt')).toBe(2);
    expect(answered.status?.code ?? 0).not.toBe(STATUS_ERROR);
    expect(attr(answered, 'gen_ai.response.model')).toBe('small-model-2026');
    expect(attr(answered, 'gen_ai.usage.output_tokens')).toBe(7);

    // Each upstream request carried its own attempt span as parent, and the client's tracestate.
    const primaryCall = upstreamHeaders.find((h) => h.path.startsWith('/primary/'))!;
    const secondaryCall = upstreamHeaders.find((h) => h.path.startsWith('/secondary/'))!;
    expect(primaryCall.headers.traceparent).toBe(`00-${CLIENT_TRACE_ID}-${failed.spanId}-01`);
    expect(secondaryCall.headers.traceparent).toBe(`00-${CLIENT_TRACE_ID}-${answered.spanId}-01`);
    expect(secondaryCall.headers.tracestate).toBe('vendor=abc');

    const everything = payloads.join('\n');
    expect(everything).not.toContain(PROMPT);
    expect(everything).not.toContain(ANSWER);
    expect(everything).not.toContain(UPSTREAM_KEY);
    expect(everything).not.toContain('client-key-not-traced');
  });

  // Streams: the relayed path (OpenAI client, OpenAI deployment) and the translated one (Anthropic client).
  it.each([
    { api: 'openai', traceId: '5bf92f3577b34da6a3ce929d0e0e4737', path: '/v1/chat/completions' },
    { api: 'anthropic', traceId: '6bf92f3577b34da6a3ce929d0e0e4738', path: '/v1/messages' },
  ])('a streamed answer ($api client): its attempt span names the model the upstream stream named, with its tokens', async ({ traceId, path }) => {
    const response = await fetch(`${gateway.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', traceparent: `00-${traceId}-${CLIENT_SPAN_ID}-01`, 'anthropic-version': '2023-06-01' },
      body: JSON.stringify({ model: 'gpt-4', stream: true, max_tokens: 50, messages: [{ role: 'user', content: PROMPT }] }),
    });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain(ANSWER);

    const spans = await exportedSpans(gateway, payloads, traceId);
    const attempts = spans.filter((s) => s.kind === SPAN_KIND_CLIENT).sort((a, b) => Number(attr(a, 'bulwark.attempt')) - Number(attr(b, 'bulwark.attempt')));
    expect(attempts.map((a) => attr(a, 'bulwark.deployment'))).toEqual(['primary-big', 'secondary-small']);
    const [failed, answered] = attempts as [OtlpSpan, OtlpSpan];
    expect(failed.status?.code).toBe(STATUS_ERROR);
    expect(attr(failed, 'gen_ai.response.model')).toBeUndefined();
    expect(attr(answered, 'gen_ai.request.model')).toBe('small-model');
    expect(attr(answered, 'gen_ai.response.model')).toBe('small-model-2026');
    expect(attr(answered, 'gen_ai.usage.input_tokens')).toBe(13);
    expect(attr(answered, 'gen_ai.usage.output_tokens')).toBe(5);
    expect(answered.status?.code ?? 0).not.toBe(STATUS_ERROR);
    expect(JSON.stringify(spans)).not.toContain(ANSWER);
    expect(JSON.stringify(spans)).not.toContain(PROMPT);
  });
});
