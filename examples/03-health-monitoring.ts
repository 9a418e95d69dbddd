/**
 * Example 03 — health checks, SLA figures and alerts on a running gateway.
 *
 *   node --import tsx examples/03-health-monitoring.ts     (or: npm run example:03)
 *
 * Starts the gateway in-process on an ephemeral port with the built-in mock as its provider
 * (route gpt-4: primary group → secondary group), and a small webhook receiver that prints the
 * alert notifications the gateway sends. Then:
 *   1. healthy traffic → GET /health (pass) and the route's SLA figures from GET /admin/sla;
 *   2. the primary goes down → its breaker opens, traffic moves to the secondary, the
 *      "breaker opened" and "primary model unavailable" alerts fire, /health turns warn;
 *   3. the primary recovers → after the (short) open period the breaker closes and both alerts
 *      resolve.
 * Windows and intervals are short (breaker open 3 s, alert evaluation every 500 ms) so it ends in
 * about ten seconds. Open the dashboard while it runs: the URL is printed first.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseConfig } from '../src/gateway/config/load.js';
import { Gateway } from '../src/gateway/gateway.js';
import { defaultRouterFactory } from '../src/gateway/router-factory.js';
import type { AlertNotification } from '../src/ops/alert-types.js';

const started = Date.now();
const stamp = () => `[${((Date.now() - started) / 1000).toFixed(1).padStart(4)} s]`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// A webhook receiver standing in for Slack/PagerDuty: prints each alert notification.
const received: AlertNotification[] = [];
const receiver = createServer((req, res) => {
  let body = '';
  req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
  req.on('end', () => {
    const n = JSON.parse(body) as AlertNotification;
    received.push(n);
    console.log(`${stamp()} webhook ← ${n.state.toUpperCase().padEnd(8)} ${n.rule} (${n.subject}): ${n.summary}`);
    res.writeHead(204).end();
  });
});
await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
const webhook = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/alerts`;

const config = parseConfig(`
server: { port: 0 }
logging: { level: error }
mocks:
  demo: { profile: { default: { latency: { kind: uniform, minMs: 5, maxMs: 25 } } } }
providers:
  primary: { type: openai, mock: { name: demo, deployment: primary } }
  secondary: { type: openai, mock: { name: demo, deployment: secondary } }
modelGroups:
  gpt4: { deployments: [ { id: gpt4-primary, provider: primary, model: gpt-4o } ] }
  gpt35: { deployments: [ { id: gpt35-secondary, provider: secondary, model: gpt-4o-mini } ] }
routes:
  - { name: gpt-4, chain: [gpt4, gpt35], defaultResponse: "Sorry, try again in a minute." }
policies:
  breaker: { failureThreshold: 5, openMs: 3s }
  retry: { maxAttempts: 1 }
alerts:
  evaluateEvery: 500ms
  window: 1m
  sinks: [ { type: webhook, url: "${webhook}" } ]
health: { probes: false, minRequests: 5 }
`, { source: 'example-03.yaml', env: {} });

const gateway = await Gateway.start({ config, createRouter: defaultRouterFactory });
const mock = gateway.mock('demo')!;
console.log(`Gateway on ${gateway.url} — dashboard: ${gateway.url}/dashboard\n`);

async function drive(n: number): Promise<Record<string, number>> {
  const servedBy: Record<string, number> = {};
  for (let i = 0; i < n; i++) {
    const res = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4', messages: [{ role: 'user', content: `question ${i}` }] }),
    });
    await res.text();
    const who = res.headers.get('x-bulwark-served-by') ?? '?';
    servedBy[who] = (servedBy[who] ?? 0) + 1;
  }
  return servedBy;
}

async function health(print: 'full' | 'summary'): Promise<void> {
  const res = await fetch(`${gateway.url}/health`);
  const body = (await res.json()) as { status: string; checks: Record<string, Array<{ status: string; observedValue?: unknown; observedUnit?: string; output?: string }>> };
  console.log(`${stamp()} GET /health → ${res.status} ${res.headers.get('content-type')} status=${body.status}`);
  if (print === 'full') console.log(JSON.stringify(body, null, 2).replace(/^/gm, '    '));
  else {
    for (const [key, [check]] of Object.entries(body.checks)) {
      if (check.status !== 'pass') console.log(`    ${key.padEnd(28)} ${check.status}  ${String(check.observedValue)} ${check.observedUnit ?? ''} ${check.output ?? ''}`);
    }
  }
}

async function sla(): Promise<void> {
  const report = (await (await fetch(`${gateway.url}/admin/sla`)).json()) as {
    routes: Record<string, { windows: Record<string, { requests: number; availabilityPercent: number | null; p50Ms: number | null; p95Ms: number | null; p99Ms: number | null }> }>;
    deployments: Record<string, { windows: Record<string, { requests: number; errorRate: number | null }>; uptimePercent?: Record<string, number | null> }>;
  };
  const r = report.routes['gpt-4'].windows['1m'];
  console.log(`${stamp()} GET /admin/sla  route gpt-4 (1 min): ${r.requests} requests, availability ${r.availabilityPercent?.toFixed(2)} %, p50 ${r.p50Ms} ms, p95 ${r.p95Ms} ms, p99 ${r.p99Ms} ms`);
  for (const [id, d] of Object.entries(report.deployments)) {
    const w = d.windows['1m'];
    console.log(`    ${id.padEnd(16)} attempts ${String(w.requests).padStart(3)}, error rate ${((w.errorRate ?? 0) * 100).toFixed(1).padStart(5)} %, uptime ${d.uptimePercent?.['1m']?.toFixed(1) ?? '–'} %`);
  }
}

const breaker = () => gateway.router.inspect().routes[0].chain[0].deployments[0].breaker;
const active = () => gateway.ops.ops.alerts.active().map((a) => a.rule).sort();

try {
  console.log('1. Healthy traffic');
  const healthy = await drive(30);
  console.log(`${stamp()} 30 requests, served by:`, healthy);
  await health('summary');
  await sla();

  console.log('\n2. The primary goes down (mock answers 503)');
  mock.setProfile({ default: { latency: { kind: 'uniform', minMs: 5, maxMs: 25 } }, deployments: { primary: { errors: { '503': 1 } } } });
  const outage = await drive(20);
  console.log(`${stamp()} 20 requests, served by:`, outage, `— primary breaker: ${breaker()}`);
  while (!(active().includes('breaker_opened') && active().includes('primary_unavailable'))) await sleep(100);
  await gateway.ops.ops.alerts.flush();
  await health('full');
  console.log(`${stamp()} GET /readyz → ${(await fetch(`${gateway.url}/readyz`)).status} (the secondary still serves the route)`);
  await sla();

  console.log('\n3. The primary recovers; the breaker half-opens after 3 s and a trial request closes it');
  mock.setProfile({ default: { latency: { kind: 'uniform', minMs: 5, maxMs: 25 } } });
  while (breaker() !== 'closed') {
    await drive(1);
    await sleep(250);
  }
  const recovered = await drive(10);
  console.log(`${stamp()} primary breaker: ${breaker()}; 10 requests, served by:`, recovered);
  while (active().includes('breaker_opened') || active().includes('primary_unavailable')) await sleep(100);
  await gateway.ops.ops.alerts.flush();
  await health('summary');
  const resolved = received.filter((n) => n.state === 'resolved').map((n) => n.rule);
  console.log(`\n${stamp()} alerts resolved: ${resolved.join(', ') || 'none'}; still active: ${active().join(', ') || 'none'}`);
  if (active().length > 0) console.log('    (an error-rate alert on group gpt4 clears once the failed attempts leave its 1-minute window)');
} finally {
  await gateway.shutdown(1000);
  receiver.close();
}
