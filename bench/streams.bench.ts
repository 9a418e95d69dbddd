/**
 * `npm run bench:streams` — long streams at high concurrency: STREAMS concurrent streamed chat
 * completions, each lasting STREAM_S seconds upstream (first token after FIRST_TOKEN_MS, then one
 * chunk a second), through (1) a bare streaming proxy (node:http in, undici Pool without a socket
 * cap out, body piped) and (2) Bulwark (`bulwark serve`, compiled when dist/ exists), one after the
 * other against the same upstream process. Prints, per target: time to first token p50/p99 (from
 * the request's start to the first content chunk at the client), streams completed, errors and
 * the server's peak RSS (/proc/<pid>/status, sampled every 250 ms); then Bulwark's TTFT ratios.
 * Goals (issue 11): TTFT p50 and p99 ≤ 1.25x the bare proxy's, 0 errors, RSS ≤ 200 MB; no stream
 * ever waits for a socket. Bulwark's config lifts the bulkhead and load shedding above STREAMS:
 * this measures the gateway, not a limit (limits are visible in metrics when they act).
 *
 *   npm run bench:streams                 # 1,000 streams x 30 s
 *   npm run bench:streams -- --quick      # 200 streams x 5 s
 *   npm run bench:streams -- --streams 500 --seconds 10
 */
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Pool } from 'undici';
import { cliArgs, COMPILED_CLI, startChild, stop } from './bench-processes.js';

const { values } = parseArgs({
  options: {
    role: { type: 'string' },
    quick: { type: 'boolean', default: false },
    streams: { type: 'string' },
    seconds: { type: 'string' },
  },
});

const STREAMS = Number(values.streams ?? (values.quick ? 200 : 1_000));
const STREAM_S = Number(values.seconds ?? (values.quick ? 5 : 30));
/** The upstream's own time to first token. */
const FIRST_TOKEN_MS = 100;
/** Goals of issue 11. */
const GOALS = Object.freeze({ maxTtftVsBare: 1.25, maxRssMb: 200 });



function rssMb(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

const percentile = (sorted: number[], p: number) => (sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]);

const BODY = JSON.stringify({ model: 'gpt-4', stream: true, messages: [{ role: 'user', content: 'Tell a long story.' }] });

/** Opens STREAMS streams at once through `url`; TTFT of each, and how many ended properly. */
async function runStreams(url: string, pid: number | undefined) {
  const pool = new Pool(url, { connections: null, pipelining: 1 });
  let peakRss = rssMb(pid);
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, rssMb(pid))), 250);
  const ttfts: number[] = [];
  let completed = 0;
  const errors: string[] = [];
  const one = async () => {
    const start = performance.now();
    try {
      const res = await pool.request({ method: 'POST', path: '/v1/chat/completions', headers: { 'content-type': 'application/json' }, body: BODY });
      if (res.statusCode !== 200) throw new Error(`status ${res.statusCode}: ${(await res.body.text()).slice(0, 200)}`);
      let first = true;
      let text = '';
      for await (const chunk of res.body) {
        text += String(chunk);
        if (first && text.includes('"content"')) {
          ttfts.push(performance.now() - start);
          first = false;
        }
      }
      if (!text.includes('[DONE]')) throw new Error('stream ended without [DONE]');
      completed++;
    } catch (error) {
      errors.push(error instanceof Error ? error.message : String(error));
    }
  };
  await Promise.all(Array.from({ length: STREAMS }, one));
  clearInterval(sampler);
  await pool.close();
  ttfts.sort((a, b) => a - b);
  return { p50: percentile(ttfts, 50), p99: percentile(ttfts, 99), completed, errors, peakRss };
}

async function main(): Promise<void> {
  console.log(`Node ${process.version}; ${STREAMS} concurrent streams x ${STREAM_S} s (upstream first token after ${FIRST_TOKEN_MS} ms); ` +
    `Bulwark ${COMPILED_CLI ? 'compiled (dist/)' : 'through tsx (no dist/: run npm run build)'}; load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  const upstream = await startChild(['--import', 'tsx', 'bench/streams.bench.ts', '--role', 'upstream', '--seconds', String(STREAM_S)]);
  const dir = await mkdtemp(join(tmpdir(), 'bulwark-streams-'));
  const config = join(dir, 'streams.yaml');
  const limit = STREAMS * 2;
  await writeFile(config, `
providers:
  up: { type: openai, baseUrl: "${upstream.url}/v1" }
modelGroups:
  g: { deployments: [ { id: up-1, provider: up, model: gpt-4o } ] }
routes:
  - { name: gpt-4, chain: [g] }
policies:
  bulkhead: { maxConcurrent: ${limit} }
  firstTokenTimeoutMs: 30s
  idleTimeoutMs: 30s
loadShedding: { enabled: false }
`);
  const targets: Array<{ name: string; start: () => Promise<{ child: ChildProcess; url: string }> }> = [
    { name: 'bare streaming proxy', start: () => startChild(['--import', 'tsx', 'bench/gateway.bench.ts', '--role', 'stream-proxy', '--upstream', upstream.url]) },
    { name: 'Bulwark (bulkhead and shedding above the load)', start: () => startChild(cliArgs(['serve', '--config', config, '--port', '0'])) },
  ];
  const results = [];
  try {
    for (const target of targets) {
      const server = await target.start();
      const r = await runStreams(server.url, server.child.pid);
      await stop(server.child);
      results.push({ name: target.name, ...r });
      console.log(`  ${target.name}: done (load average ${loadavg()[0].toFixed(2)})`);
    }
  } finally {
    await stop(upstream.child);
    await rm(dir, { recursive: true, force: true });
  }
  console.log('\n| target | TTFT p50 (ms) | TTFT p99 (ms) | completed | errors | peak RSS (MB) |\n|---|---:|---:|---:|---:|---:|');
  for (const r of results) console.log(`| ${r.name} | ${r.p50.toFixed(1)} | ${r.p99.toFixed(1)} | ${r.completed}/${STREAMS} | ${r.errors.length} | ${r.peakRss.toFixed(0)} |`);
  const [bare, bulwark] = results;
  for (const r of results) if (r.errors.length > 0) console.log(`${r.name} first error: ${r.errors[0]}`);
  const p50 = bulwark.p50 / bare.p50;
  const p99 = bulwark.p99 / bare.p99;
  const met = (ok: boolean) => (ok ? 'MET' : 'NOT MET');
  console.log(`\nBulwark TTFT p50 ${p50.toFixed(2)}x, p99 ${p99.toFixed(2)}x the bare proxy's (goal ≤ ${GOALS.maxTtftVsBare}x) ${met(p50 <= GOALS.maxTtftVsBare && p99 <= GOALS.maxTtftVsBare)}; ` +
    `errors ${bulwark.errors.length} (goal 0) ${met(bulwark.errors.length === 0)}; peak RSS ${bulwark.peakRss.toFixed(0)} MB (goal ≤ ${GOALS.maxRssMb}) ${met(bulwark.peakRss <= GOALS.maxRssMb)}`);
}

/** The upstream: every stream sends its first token after FIRST_TOKEN_MS, then a chunk a second. */
function serveUpstream(): void {
  const seconds = Number(values.seconds ?? STREAM_S);
  const chunk = (content: string, finish: string | null) =>
    `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o', choices: [{ index: 0, delta: { content }, finish_reason: finish }] })}\n\n`;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.flushHeaders();
      let sent = 0;
      const tick = () => {
        if (res.destroyed) return;
        sent++;
        if (sent > seconds) {
          res.end(chunk('.', 'stop') + 'data: [DONE]\n\n');
          return;
        }
        res.write(chunk(`word${sent} `, null));
        setTimeout(tick, 1_000);
      };
      setTimeout(tick, FIRST_TOKEN_MS);
    });
  });
  server.keepAliveTimeout = 65_000;
  server.listen(0, '127.0.0.1', () => console.log(`listening on http://127.0.0.1:${(server.address() as AddressInfo).port}`));
}

if (values.role === 'upstream') serveUpstream();
else await main();
