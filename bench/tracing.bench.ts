/**
 * What tracing costs the gateway. Over loopback, in one run, against the same mock provider:
 * `bulwark serve` with tracing off, on at 100 % sampling and on at 1 % (parent-based ratio), the
 * spans exported over OTLP/HTTP to a sink on loopback that answers 200 and discards them (a real
 * exporter, a real batch processor, real sockets). Throughput with autocannon (50 connections,
 * closed model) and its latency percentiles; rounds interleave the three gateways and the table
 * shows medians, so load from elsewhere on the machine hits all of them alike. Load shedding is
 * off in all three (its 503s would be measured instead of the request path).
 *
 *   npm run bench:tracing                      # 3 rounds, 5 s per measurement
 *   npm run bench:tracing -- --rounds 5 --duration 10
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { autocannon, cliArgs, COMPILED_CLI, median, startChild, stop } from './bench-processes.js';


const { values } = parseArgs({
  options: {
    role: { type: 'string' },
    duration: { type: 'string', default: '5' },
    connections: { type: 'string', default: '50' },
    rounds: { type: 'string', default: '3' },
  },
});

const BODY = JSON.stringify({ model: 'gpt-4', messages: [{ role: 'user', content: 'Summarise the resilience patterns for LLM calls in one line.' }] });
async function throughput(url: string, durationS: number, connections: number) {
  const options = { url: `${url}/v1/chat/completions`, method: 'POST', headers: { 'content-type': 'application/json' }, body: BODY };
  await autocannon({ ...options, connections: 10, duration: 2 });
  const r = await autocannon({ ...options, connections, duration: durationS });
  return { rps: Math.round(r.requests.average), p50: r.latency.p50, p99: r.latency.p99, errors: r.errors + r.non2xx };
}


async function main(): Promise<void> {
  const durationS = Number(values.duration);
  const connections = Number(values.connections);
  const mock = await startChild(cliArgs(['mock', '--port', '0']));
  const sink = await startChild(['--import', 'tsx', 'bench/tracing.bench.ts', '--role', 'sink']);
  const dir = await mkdtemp(join(tmpdir(), 'bulwark-bench-tracing-'));
  const config = async (name: string, tracing: string) => {
    const path = join(dir, `${name}.yaml`);
    await writeFile(path, `
providers:
  mock: { type: openai, baseUrl: "${mock.url}/v1" }
modelGroups:
  g: { deployments: [ { id: mock-gpt4, provider: mock, model: gpt-4o } ] }
routes:
  - { name: gpt-4, chain: [g] }
# Measure the request path itself: no 503s from the load shedder at 50 connections.
loadShedding: { enabled: false }
${tracing}
`);
    return path;
  };
  const variants = [
    { name: 'tracing off', yaml: '' },
    { name: 'tracing on, 100 % sampled', yaml: `tracing: { enabled: true, endpoint: "${sink.url}", sampleRatio: 1 }` },
    { name: 'tracing on, 1 % sampled', yaml: `tracing: { enabled: true, endpoint: "${sink.url}", sampleRatio: 0.01 }` },
  ];
  try {
    const servers = [];
    for (const v of variants) servers.push(await startChild(cliArgs(['serve', '--config', await config(v.name.replace(/\W+/g, '-'), v.yaml), '--port', '0'])));
    const samples = variants.map(() => ({ rps: [] as number[], p50: [] as number[], p99: [] as number[], errors: 0 }));
    const rounds = Number(values.rounds);
    for (let round = 0; round < rounds; round++) {
      for (let k = 0; k < variants.length; k++) {
        const i = (k + round) % variants.length;
        const r = await throughput(servers[i].url, durationS, connections);
        samples[i].rps.push(r.rps);
        samples[i].p50.push(r.p50);
        samples[i].p99.push(r.p99);
        samples[i].errors += r.errors;
      }
    }
    for (const server of servers) await stop(server.child);
    const base = median(samples[0].rps);
    console.log(`Tracing cost: ${rounds} rounds × ${durationS} s, ${connections} connections, medians (Node ${process.version}; Bulwark ${COMPILED_CLI ? 'compiled (dist/)' : 'through tsx (no dist/: run npm run build)'})`);
    console.log('| gateway | req/s | vs off | p50 ms | p99 ms | errors |');
    console.log('|---|---|---|---|---|---|');
    variants.forEach((v, i) => {
      const s = samples[i];
      console.log(`| ${v.name} | ${median(s.rps)} | ${((median(s.rps) / base) * 100).toFixed(1)} % | ${median(s.p50)} | ${median(s.p99)} | ${s.errors} |`);
    });
  } finally {
    await stop(sink.child);
    await stop(mock.child);
    await rm(dir, { recursive: true, force: true });
  }
}

function serveSink(): void {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
  });
  server.listen(0, '127.0.0.1', () => console.log(`listening on http://127.0.0.1:${(server.address() as AddressInfo).port}`));
}

if (values.role === 'sink') serveSink();
else await main();
