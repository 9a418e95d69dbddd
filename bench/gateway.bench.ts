/**
 * `npm run bench:gateway` — what the gateway costs. Over loopback, in one process tree, against the
 * same mock provider (no faults), every target of {@link TARGETS}:
 *   the mock directly; a bare undici proxy (node:http in, undici Pool out, body read then sent);
 *   a bare streaming proxy (the same, body piped chunk by chunk); Bulwark with its default policies;
 *   Bulwark with a minimal-policy config (one attempt, no cache, no coalescing); and Bulwark with its
 *   default policies over a provider that answers in-process (its own work, without upstream I/O).
 * Each server is its own process; the load comes from this one. For each target:
 *   - throughput: autocannon, 50 connections (closed model), req/s and p50/p99;
 *   - CPU per request: the server process's user+system CPU (/proc/<pid>/stat) over the
 *     measurement divided by the requests answered — robust on a shared machine;
 *   - added latency: an open model at a fixed 1,000 req/s (latency from the intended send time),
 *     the target's p50/p99 minus the mock's.
 * Rounds interleave the targets in a rotating order; the table shows medians. Bulwark and the mock
 * run compiled (dist/, `npm run build`) when dist/ exists, else through tsx (the output says which).
 * Goals (issue 11): Bulwark ≥ 70% of the bare undici proxy's throughput, p99 ≤ 1.5x, CPU/request
 * ≤ 1.4x; added latency at 1,000 req/s p50 ≤ 0.5 ms, p99 ≤ 2 ms.
 *
 * Adding a variant (e.g. tracing off/on): one more entry in TARGETS with its config — see
 * `bulwarkTarget(name, yamlExtra)`; the table, CPU and ratios follow.
 *
 *   npm run bench:gateway                         # 3 interleaved rounds, 5 s per measurement
 *   npm run bench:gateway -- --rounds 5 --duration 10 --only "bare undici proxy,Bulwark (default policies)"
 *   npm run bench:gateway -- --http-choice        # also node:http vs fastify on a JSON echo
 */
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline as pipeStreams } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { Pool } from 'undici';
import { autocannon, cliArgs, COMPILED_CLI, median, startChild, stop } from './bench-processes.js';
import { httpChatSender } from '../src/chaos/load/http-sender.js';
import { runLoad } from '../src/chaos/load/runner.js';
import type { Provider } from '../src/llm/provider.js';


const { values } = parseArgs({
  options: {
    role: { type: 'string' },
    upstream: { type: 'string' },
    duration: { type: 'string', default: '5' },
    connections: { type: 'string', default: '50' },
    rate: { type: 'string', default: '1000' },
    rounds: { type: 'string', default: '3' },
    only: { type: 'string' },
    'http-choice': { type: 'boolean', default: false },
  },
});

/** Goals of issue 11, against the bare undici proxy and the mock. */
const GOALS = Object.freeze({ minShareOfBareRps: 0.7, maxP99VsBare: 1.5, maxCpuVsBare: 1.4, maxAddedP50Ms: 0.5, maxAddedP99Ms: 2 });

// ---- processes ---------------------------------------------------------------------------------

const roleArgs = (role: string, extra: string[] = []) => ['--import', 'tsx', 'bench/gateway.bench.ts', '--role', role, ...extra];

interface Server {
  child?: ChildProcess;
  url: string;
  /** The process answering, when it is not `child` (the mock, shared by every target). */
  pid?: number;
}

/** The mock's process id, once it runs (its CPU is the "mock (direct)" row's). */
let mockPid: number | undefined;


/** User + system CPU seconds of a process so far (Linux /proc; NaN elsewhere). */
function cpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_S;
  } catch {
    return NaN;
  }
}
/** Linux's USER_HZ (fixed at 100 on every mainstream kernel). */
const CLOCK_TICKS_PER_S = 100;

// ---- targets ---------------------------------------------------------------------------------

interface Target {
  name: string;
  start(mockUrl: string, dir: string): Promise<Server>;
}

/** Bulwark with the bench's provider and route, plus `yamlExtra` (top-level YAML: policies, tracing…). */
function bulwarkTarget(name: string, yamlExtra = '', routeExtra = ''): Target {
  return {
    name,
    async start(mockUrl, dir) {
      const file = join(dir, `${name.replace(/\W+/g, '-')}.yaml`);
      await writeFile(file, `
providers:
  mock: { type: openai, baseUrl: "${mockUrl}/v1" }
modelGroups:
  g: { deployments: [ { id: mock-gpt4, provider: mock, model: gpt-4o } ] }
routes:
  - { name: gpt-4, chain: [g]${routeExtra} }
${yamlExtra}
`);
      return startChild(cliArgs(['serve', '--config', file, '--port', '0']));
    },
  };
}

/**
 * Every target, in table order. The first is the mock (the latency baseline); "bare undici proxy"
 * is the reference of the ratios. Add variants here.
 */
const TARGETS: Target[] = [
  { name: 'mock (direct)', start: async (mockUrl) => ({ url: mockUrl, pid: mockPid }) },
  { name: 'bare undici proxy', start: (mockUrl) => startChild(roleArgs('proxy', ['--upstream', mockUrl])) },
  { name: 'bare streaming proxy', start: (mockUrl) => startChild(roleArgs('stream-proxy', ['--upstream', mockUrl])) },
  bulwarkTarget('Bulwark (default policies)'),
  bulwarkTarget('Bulwark (minimal policies)', 'policies: { retry: { maxAttempts: 1 } }\nloadShedding: { enabled: false }', ', cache: false, staleIfError: false, coalesce: false'),
  { name: 'Bulwark own work (provider in-process)', start: () => startChild(roleArgs('gateway-inprocess')) },
];
const REFERENCE = 'bare undici proxy';

// ---- the benchmark ---------------------------------------------------------------------------

const BODY = JSON.stringify({ model: 'gpt-4', messages: [{ role: 'user', content: 'Summarise the resilience patterns for LLM calls in one line.' }] });

async function throughput(server: Server, path: string, body: string, durationS: number, connections: number) {
  await autocannon({ url: server.url + path, method: 'POST', headers: { 'content-type': 'application/json' }, body, connections: 10, duration: 2 });
  const pid = server.pid ?? server.child?.pid;
  const cpuBefore = cpuSeconds(pid);
  const r = await autocannon({ url: server.url + path, method: 'POST', headers: { 'content-type': 'application/json' }, body, connections, duration: durationS });
  const cpuUs = ((cpuSeconds(pid) - cpuBefore) * 1e6) / Math.max(1, r.requests.total);
  return { rps: Math.round(r.requests.average), p50: r.latency.p50, p99: r.latency.p99, cpuUs, errors: r.errors + r.non2xx };
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

const verdict = (met: boolean) => (met ? 'MET' : 'NOT MET');

async function httpChoice(durationS: number, connections: number): Promise<void> {
  console.log(`HTTP server choice: minimal JSON echo, ${connections} connections, ${durationS} s each`);
  for (const role of ['echo-http', 'echo-fastify']) {
    const server = await startChild(roleArgs(role));
    const r = await throughput(server, '/echo', BODY, durationS, connections);
    await stop(server.child);
    console.log(`  ${role === 'echo-http' ? 'node:http' : 'fastify 5'}: ${r.rps} req/s (p50 ${r.p50} ms, p99 ${r.p99} ms, ${r.cpuUs.toFixed(0)} µs CPU/request, errors ${r.errors})`);
  }
  console.log('');
}

async function main(): Promise<void> {
  const durationS = Number(values.duration);
  const connections = Number(values.connections);
  const rate = Number(values.rate);
  const rounds = Number(values.rounds);
  const only = values.only?.split(',').map((s) => s.trim());
  const targets = TARGETS.filter((t, i) => i === 0 || t.name === REFERENCE || only === undefined || only.includes(t.name));
  console.log(`Node ${process.version}; Bulwark and mock ${COMPILED_CLI ? 'compiled (dist/)' : 'through tsx (no dist/: run npm run build)'}; ` +
    `load average ${loadavg().map((l) => l.toFixed(2)).join(' ')} at start`);
  if (values['http-choice']) await httpChoice(durationS, connections);

  const mock = await startChild(cliArgs(['mock', '--port', '0']));
  mockPid = mock.child.pid;
  const dir = await mkdtemp(join(tmpdir(), 'bulwark-bench-'));
  try {
    // Every server runs for the whole benchmark; rounds interleave the targets (in a rotating
    // order) and the table shows each figure's median, so a burst of load from elsewhere on the
    // machine hits all targets alike instead of one.
    const servers: Server[] = [];
    for (const target of targets) servers.push(await target.start(mock.url, dir));
    const samples = targets.map(() => ({ rps: [] as number[], p50: [] as number[], p99: [] as number[], cpuUs: [] as number[], fixedP50: [] as number[], fixedP99: [] as number[], errors: 0 }));
    for (let round = 0; round < rounds; round++) {
      for (let k = 0; k < targets.length; k++) {
        const i = (k + round) % targets.length;
        const t = await throughput(servers[i], '/v1/chat/completions', BODY, durationS, connections);
        const f = await fixedRate(servers[i].url, rate, durationS);
        const s = samples[i];
        s.rps.push(t.rps); s.p50.push(t.p50); s.p99.push(t.p99); s.cpuUs.push(t.cpuUs); s.fixedP50.push(f.p50); s.fixedP99.push(f.p99); s.errors += t.errors + f.errors;
      }
      console.log(`  round ${round + 1}/${rounds} done (load average ${loadavg()[0].toFixed(2)})`);
    }
    for (const server of servers) if (server.child) await stop(server.child);
    const results = targets.map((target, i) => ({
      name: target.name, rps: median(samples[i].rps), p50: median(samples[i].p50), p99: median(samples[i].p99), cpuUs: median(samples[i].cpuUs),
      fixedP50: median(samples[i].fixedP50), fixedP99: median(samples[i].fixedP99), errors: samples[i].errors,
    }));
    const direct = results[0];
    const ref = results.find((r) => r.name === REFERENCE)!;
    const rows = [
      `| target (median of ${rounds} rounds) | req/s @${connections} conn | p50 / p99 (ms) | CPU µs/req | vs bare proxy: req/s, p99, CPU | p50 / p99 @${rate} req/s (ms) | added p50 / p99 (ms) | errors |`,
      '|---|---:|---:|---:|---:|---:|---:|---:|',
    ];
    for (const r of results) {
      const vs = r === direct ? '—' : `${((r.rps / ref.rps) * 100).toFixed(0)}%, ${(r.p99 / ref.p99).toFixed(2)}x, ${(r.cpuUs / ref.cpuUs).toFixed(2)}x`;
      const cpu = r === direct ? `${r.cpuUs.toFixed(0)} (mock)` : r.cpuUs.toFixed(0);
      rows.push(`| ${r.name} | ${r.rps} | ${r.p50} / ${r.p99} | ${cpu} | ${vs} | ${r.fixedP50.toFixed(3)} / ${r.fixedP99.toFixed(3)} | ${(r.fixedP50 - direct.fixedP50).toFixed(3)} / ${(r.fixedP99 - direct.fixedP99).toFixed(3)} | ${r.errors} |`);
    }
    console.log(`\n${rows.join('\n')}\n`);
    for (const r of results.filter((x) => x.name.startsWith('Bulwark (') )) {
      const share = r.rps / ref.rps;
      const p99 = r.p99 / ref.p99;
      const cpu = r.cpuUs / ref.cpuUs;
      const addedP50 = r.fixedP50 - direct.fixedP50;
      const addedP99 = r.fixedP99 - direct.fixedP99;
      console.log(`${r.name}: ${(share * 100).toFixed(1)}% of the bare proxy's req/s (goal ≥ ${GOALS.minShareOfBareRps * 100}%) ${verdict(share >= GOALS.minShareOfBareRps)}; ` +
        `p99 ${p99.toFixed(2)}x (≤ ${GOALS.maxP99VsBare}x) ${verdict(p99 <= GOALS.maxP99VsBare)}; CPU/request ${cpu.toFixed(2)}x (≤ ${GOALS.maxCpuVsBare}x) ${verdict(cpu <= GOALS.maxCpuVsBare)}; ` +
        `added at ${rate} req/s p50 ${addedP50.toFixed(3)} ms (≤ ${GOALS.maxAddedP50Ms}) ${verdict(addedP50 <= GOALS.maxAddedP50Ms)}, p99 ${addedP99.toFixed(3)} ms (≤ ${GOALS.maxAddedP99Ms}) ${verdict(addedP99 <= GOALS.maxAddedP99Ms)}`);
    }
    console.log(`load average at end: ${loadavg().map((l) => l.toFixed(2)).join(' ')} (2-core machine shared with other work: compare within one run; CPU/request is the steadiest figure)`);
  } finally {
    await stop(mock.child);
    await rm(dir, { recursive: true, force: true });
  }
}

// ---- server roles (run in child processes) ---------------------------------------------------

async function serveRole(role: string): Promise<void> {
  if (role === 'proxy' || role === 'stream-proxy') {
    // The bare pass-throughs: what any Node proxy in front of the mock must at least pay. No
    // socket cap (as Bulwark's provider pools); 'proxy' reads the answer then sends it with its
    // length, 'stream-proxy' pipes it chunk by chunk (what a streamed answer needs).
    const upstream = new URL(values.upstream!);
    const pool = new Pool(upstream.origin, { connections: null, pipelining: 1 });
    const server = createServer(async (req, res) => {
      try {
        // The request body is read first, as any gateway must to route on it (a streamed upload of
        // unknown length would also cost undici a fresh connection per request).
        const chunks: Buffer[] = [];
        for await (const chunk of req) chunks.push(chunk as Buffer);
        const { statusCode, headers, body } = await pool.request({
          method: req.method as 'POST', path: req.url!, headers: { 'content-type': String(req.headers['content-type'] ?? 'application/json') }, body: Buffer.concat(chunks),
        });
        const type = String(headers['content-type'] ?? 'application/json');
        if (role === 'proxy') {
          const bytes = Buffer.from(await body.arrayBuffer());
          res.writeHead(statusCode, { 'content-type': type, 'content-length': bytes.length });
          res.end(bytes);
        } else {
          res.writeHead(statusCode, { 'content-type': type });
          res.flushHeaders();
          await pipeStreams(body, res);
        }
      } catch {
        if (!res.headersSent) res.statusCode = 502;
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
  } else if (role === 'gateway-inprocess') {
    // Bulwark whole (HTTP in, auth, dialect, router with its default policies, cache, ops) over a
    // provider that answers in-process with the mock's bytes: what Bulwark's own work costs, with
    // no upstream socket. Compiled code when dist/ exists, like the other Bulwark targets.
    const from = (path: string) => (COMPILED_CLI ? `../dist/${path}.js` : `../src/${path}.ts`);
    const { parseConfig } = (await import(from('gateway/config/load'))) as typeof import('../src/gateway/config/load.js');
    const { Gateway } = (await import(from('gateway/gateway'))) as typeof import('../src/gateway/gateway.js');
    const { createRouter } = (await import(from('llm/router/create-router'))) as typeof import('../src/llm/router/create-router.js');
    const answer = Buffer.from(JSON.stringify({
      id: 'chatcmpl-mock_1', object: 'chat.completion', created: 1796591878, model: 'gpt-4o',
      choices: [{ index: 0, message: { role: 'assistant', content: 'mock answer from gpt-4o: c6770578', refusal: null }, logprobs: null, finish_reason: 'stop' }],
      usage: { prompt_tokens: 15, completion_tokens: 9, total_tokens: 24 }, system_fingerprint: 'fp_bulwark_mock',
    }));
    const provider: Provider = {
      dialect: 'openai',
      send: async () => ({ status: 200, headers: { 'content-type': 'application/json', 'x-request-id': 'req_mock_1' }, body: answer }),
      open: () => Promise.reject(new Error('the in-process provider does not stream')),
      close: async () => undefined,
    };
    const config = parseConfig('providers:\n  p: { type: openai, baseUrl: "http://127.0.0.1:9/v1" }\nmodelGroups:\n  g: { deployments: [ { id: d, provider: p, model: gpt-4o } ] }\nroutes:\n  - { name: gpt-4, chain: [g] }\n', { env: {} });
    const gateway = await Gateway.start({ config, port: 0, createRouter: (routerConfig, deps) => createRouter(routerConfig, { ...deps, providers: () => provider }) });
    console.log(`listening on ${gateway.url}`);
  } else throw new Error(`unknown role ${role}`);
}

if (values.role) await serveRole(values.role);
else await main();
