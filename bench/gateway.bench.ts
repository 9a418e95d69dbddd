/**
 * What the gateway costs. Over loopback, in one run, against the same mock provider (no faults):
 *   (1) the mock directly, (2) a bare undici pass-through proxy (node:http in, undici Pool out:
 *   the floor for any Node proxy here), (3) Bulwark (`bulwark serve`, default policies), and for
 *   reference (4) Bulwark's HTTP layer alone, its router answering at once (no upstream call).
 * Each server runs in its own process; the load comes from this one.
 *   - throughput: autocannon, 50 connections (closed model);
 *   - added latency: an open model at a fixed 1,000 req/s (latency from the intended send time,
 *     µs resolution), Bulwark's p50/p99 minus the mock's.
 * Goals: Bulwark ≥ 70% of the bare proxy's throughput; added p50 ≤ 1 ms, p99 ≤ 5 ms.
 * Also (--http-choice, on by default): node:http vs fastify on a minimal JSON echo — the figures
 * behind the gateway's choice of HTTP server (README "Design notes").
 *
 *   npm run bench:gateway                         # 3 interleaved rounds, 5 s per measurement
 *   npm run bench:gateway -- --rounds 5 --duration 10 --no-http-choice
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Pool } from 'undici';
import { httpChatSender } from '../src/chaos/load/http-sender.js';
import { runLoad } from '../src/chaos/load/runner.js';

interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number };
  errors: number;
  non2xx: number;
}
const autocannon = createRequire(import.meta.url)('autocannon') as (options: Record<string, unknown>) => Promise<AutocannonResult>;

const { values } = parseArgs({
  options: {
    role: { type: 'string' },
    upstream: { type: 'string' },
    duration: { type: 'string', default: '5' },
    connections: { type: 'string', default: '50' },
    rate: { type: 'string', default: '1000' },
    rounds: { type: 'string', default: '3' },
    'http-choice': { type: 'boolean', default: true },
    'no-http-choice': { type: 'boolean', default: false },
  },
});

// ---- the benchmark ---------------------------------------------------------------------------

async function startChild(args: string[]): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, OPENAI_API_KEY: '', ANTHROPIC_API_KEY: '' } });
  children.add(child);
  child.on('exit', () => children.delete(child));
  const url = await new Promise<string>((resolve, reject) => {
    let seen = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      seen += String(chunk);
      const match = /listening on (http:\/\/[\d.:]+)/.exec(seen);
      if (match) resolve(match[1]);
    });
    child.on('exit', () => reject(new Error(`${args.join(' ')} did not start:\n${seen}`)));
  });
  return { child, url };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  child.kill('SIGTERM');
  await once(child, 'exit');
}

const BODY = JSON.stringify({ model: 'gpt-4', messages: [{ role: 'user', content: 'Summarise the resilience patterns for LLM calls in one line.' }] });

async function throughput(url: string, path: string, body: string, durationS: number, connections: number) {
  await autocannon({ url: url + path, method: 'POST', headers: { 'content-type': 'application/json' }, body, connections: 10, duration: 2 });
  const r = await autocannon({ url: url + path, method: 'POST', headers: { 'content-type': 'application/json' }, body, connections, duration: durationS });
  return { rps: Math.round(r.requests.average), p50: r.latency.p50, p99: r.latency.p99, errors: r.errors + r.non2xx };
}

async function fixedRate(url: string, rate: number, durationS: number) {
  const send = httpChatSender({ url, model: 'gpt-4', connections: 64 });
  try {
    const summary = await runLoad(send, { model: { kind: 'open', rate }, durationMs: durationS * 1000 });
    return { p50: summary.latency.medMs, p99: summary.latency.p99Ms, errors: summary.errors, achieved: Math.round(summary.throughputRps) };
  } finally {
    await send.close();
  }
}

const children = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
});

async function main(): Promise<void> {
  const durationS = Number(values.duration);
  const connections = Number(values.connections);
  const rate = Number(values.rate);
  const rows: string[] = [];

  if (values['http-choice'] && !values['no-http-choice']) {
    console.log(`HTTP server choice: minimal JSON echo, ${connections} connections, ${durationS} s each`);
    for (const role of ['echo-http', 'echo-fastify']) {
      const server = await startChild(['bench/gateway.bench.ts', '--role', role]);
      const r = await throughput(server.url, '/echo', BODY, durationS, connections);
      await stop(server.child);
      console.log(`  ${role === 'echo-http' ? 'node:http' : 'fastify 5'}: ${r.rps} req/s (p50 ${r.p50} ms, p99 ${r.p99} ms, errors ${r.errors})`);
    }
    console.log('');
  }

  const mock = await startChild(['src/cli/main.ts', 'mock', '--port', '0']);
  const dir = await mkdtemp(join(tmpdir(), 'bulwark-bench-'));
  const config = join(dir, 'bench.yaml');
  await writeFile(config, `
providers:
  mock: { type: openai, baseUrl: "${mock.url}/v1" }
modelGroups:
  g: { deployments: [ { id: mock-gpt4, provider: mock, model: gpt-4o } ] }
routes:
  - { name: gpt-4, chain: [g] }
`);
  try {
    const targets: Array<{ name: string; start: () => Promise<{ child?: ChildProcess; url: string }> }> = [
      { name: 'mock (direct)', start: async () => ({ url: mock.url }) },
      { name: 'bare undici proxy', start: () => startChild(['bench/gateway.bench.ts', '--role', 'proxy', '--upstream', mock.url]) },
      { name: 'Bulwark (default policies)', start: () => startChild(['src/cli/main.ts', 'serve', '--config', config, '--port', '0']) },
      { name: 'Bulwark HTTP layer only (router answers at once)', start: () => startChild(['bench/gateway.bench.ts', '--role', 'gateway-canned']) },
    ];
    // Every server runs for the whole benchmark; rounds interleave the targets (in a rotating
    // order) and the table shows each figure's median, so a burst of load from elsewhere on the
    // machine hits all targets alike instead of one.
    const servers = [];
    for (const target of targets) servers.push(await target.start());
    const rounds = Number(values.rounds);
    const samples = targets.map(() => ({ rps: [] as number[], p50: [] as number[], p99: [] as number[], fixedP50: [] as number[], fixedP99: [] as number[], errors: 0 }));
    const ratios: number[] = [];
    for (let round = 0; round < rounds; round++) {
      for (let k = 0; k < targets.length; k++) {
        const i = (k + round) % targets.length;
        const t = await throughput(servers[i].url, '/v1/chat/completions', BODY, durationS, connections);
        const f = await fixedRate(servers[i].url, rate, durationS);
        const s = samples[i];
        s.rps.push(t.rps); s.p50.push(t.p50); s.p99.push(t.p99); s.fixedP50.push(f.p50); s.fixedP99.push(f.p99); s.errors += t.errors + f.errors;
      }
      ratios.push(samples[2].rps[round] / samples[1].rps[round]);
      console.log(`  round ${round + 1}/${rounds}: Bulwark / bare proxy ${(ratios[round] * 100).toFixed(1)}%`);
    }
    for (const server of servers) if (server.child) await stop(server.child);
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const results = targets.map((target, i) => ({
      name: target.name, rps: median(samples[i].rps), p50: median(samples[i].p50), p99: median(samples[i].p99),
      fixedP50: median(samples[i].fixedP50), fixedP99: median(samples[i].fixedP99), errors: samples[i].errors,
    }));
    const [direct, , bulwark] = results;
    const pad = (s: string | number, n: number) => String(s).padStart(n);
    rows.push(`| target (median of ${rounds} rounds) | req/s @${connections} conn | p50 / p99 @${connections} conn (ms) | p50 / p99 @${rate} req/s (ms) | errors |`);
    rows.push('|---|---:|---:|---:|---:|');
    for (const r of results) rows.push(`| ${r.name} | ${pad(r.rps, 6)} | ${r.p50} / ${r.p99} | ${r.fixedP50.toFixed(3)} / ${r.fixedP99.toFixed(3)} | ${r.errors} |`);
    const share = median(ratios);
    const addedP50 = bulwark.fixedP50 - direct.fixedP50;
    const addedP99 = bulwark.fixedP99 - direct.fixedP99;
    console.log(`\n${rows.join('\n')}\n`);
    console.log(`Bulwark / bare proxy throughput: ${(share * 100).toFixed(1)}% (median of the rounds' ratios; goal ≥ 70%) ${share >= 0.7 ? 'PASS' : 'MISS'}`);
    console.log(`added latency at ${rate} req/s: p50 ${addedP50.toFixed(3)} ms (goal ≤ 1) ${addedP50 <= 1 ? 'PASS' : 'MISS'}, p99 ${addedP99.toFixed(3)} ms (goal ≤ 5) ${addedP99 <= 5 ? 'PASS' : 'MISS'}`);
    console.log(`(2-core machine shared with other work: figures are noisy; compare within one run)`);
  } finally {
    await stop(mock.child);
    await rm(dir, { recursive: true, force: true });
  }
}

// ---- server roles (run in child processes) ---------------------------------------------------

async function serveRole(role: string): Promise<void> {
  if (role === 'proxy') {
    // The bare pass-through: what any Node proxy in front of the mock must at least pay.
    const upstream = new URL(values.upstream!);
    const pool = new Pool(upstream.origin, { connections: 128, pipelining: 1 });
    const server = createServer(async (req, res) => {
      try {
        const { statusCode, headers, body } = await pool.request({
          method: req.method as 'POST', path: req.url!, headers: { 'content-type': String(req.headers['content-type'] ?? 'application/json') }, body: req,
        });
        res.writeHead(statusCode, { 'content-type': String(headers['content-type'] ?? 'application/json') });
        for await (const chunk of body) res.write(chunk);
        res.end();
      } catch {
        res.statusCode = 502;
        res.end();
      }
    });
    server.keepAliveTimeout = 65_000;
    server.listen(0, '127.0.0.1', () => console.log(`listening on http://127.0.0.1:${(server.address() as AddressInfo).port}`));
  } else if (role === 'echo-http') {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = JSON.stringify({ echo: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
        res.end(body);
      });
    });
    server.keepAliveTimeout = 65_000;
    server.listen(0, '127.0.0.1', () => console.log(`listening on http://127.0.0.1:${(server.address() as AddressInfo).port}`));
  } else if (role === 'echo-fastify') {
    const { default: Fastify } = await import('fastify');
    const app = Fastify({ logger: false, keepAliveTimeout: 65_000 });
    app.post('/echo', async (request) => ({ echo: request.body }));
    const address = await app.listen({ port: 0, host: '127.0.0.1' });
    console.log(`listening on ${address}`);
  } else if (role === 'gateway-canned') {
    // The gateway's HTTP layer alone (auth, parse, dialects, headers, ops accounting) over a
    // router that answers at once: separates the HTTP layer's cost from the router's.
    const { parseConfig } = await import('../src/gateway/config/load.js');
    const { Gateway } = await import('../src/gateway/gateway.js');
    const { createRouter } = await import('../src/llm/router/create-router.js');
    const response = { id: 'chatcmpl-bench', model: 'gpt-4o', content: 'A canned answer of about the mock\'s length: f55c314b', finishReason: 'stop' as const, usage: { inputTokens: 12, outputTokens: 12 }, created: 1 };
    const served = { servedBy: 'canned', attempts: 1, fallbackDepth: 0, degraded: false };
    const config = parseConfig(`providers:\n  p: { type: openai, baseUrl: "http://127.0.0.1:9/v1" }\nmodelGroups:\n  g: { deployments: [ { id: d, provider: p, model: m } ] }\nroutes:\n  - { name: gpt-4, chain: [g] }\n`, { env: {} });
    const gateway = await Gateway.start({
      config, port: 0,
      createRouter: (routerConfig, deps) => Object.assign(createRouter(routerConfig, deps), { chat: async () => ({ response, served }) }),
    });
    console.log(`listening on ${gateway.url}`);
  } else throw new Error(`unknown role ${role}`);
}

if (values.role) await serveRole(values.role);
else await main();
