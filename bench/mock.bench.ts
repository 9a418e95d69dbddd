/**
 * Throughput of the mock provider: non-streaming OpenAI requests, healthy profile, keep-alive.
 * The mock runs in its own process (`bulwark mock --port 0`); autocannon drives it from this one.
 *
 *   npm run bench:mock                      # 10 s, 50 connections
 *   npm run bench:mock -- --duration 20 --connections 100 --stream --anthropic
 *
 * Target: ≥ 10 000 req/s on a 2-core machine. Exit code 1 below `--min-rps` (default 0: report only).
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { once } from 'node:events';
import { parseArgs } from 'node:util';

interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number; average: number };
  errors: number;
  timeouts: number;
  non2xx: number;
}
type Autocannon = (options: Record<string, unknown>) => Promise<AutocannonResult>;
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '50' },
    pipelining: { type: 'string', default: '1' },
    stream: { type: 'boolean', default: false },
    anthropic: { type: 'boolean', default: false },
    'min-rps': { type: 'string', default: '0' },
  },
});

const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'mock', '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
let url = '';
for await (const chunk of child.stdout) {
  const match = /listening on (\S+)/.exec(String(chunk));
  if (match) {
    url = match[1];
    break;
  }
}
if (!url) throw new Error('the mock did not start');

const messages = [{ role: 'user', content: 'Summarise the resilience patterns for LLM calls in one line.' }];
const body = values.anthropic
  ? { model: 'claude-haiku-4-5', max_tokens: 256, messages, stream: values.stream }
  : { model: 'gpt-4o-mini', messages, stream: values.stream };
const path = values.anthropic ? '/v1/messages' : '/v1/chat/completions';

// Warm up (JIT), then measure.
await autocannon({ url: url + path, method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), connections: 10, duration: 2 });
const result = await autocannon({
  url: url + path,
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
  connections: Number(values.connections),
  pipelining: Number(values.pipelining),
  duration: Number(values.duration),
});
child.kill('SIGTERM');
await once(child, 'exit');

const rps = Math.round(result.requests.average);
console.log(
  `mock ${values.anthropic ? 'anthropic' : 'openai'} ${values.stream ? 'stream' : 'non-stream'}: ${rps} req/s ` +
    `(total ${result.requests.total}, p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, ` +
    `errors ${result.errors}, non-2xx ${result.non2xx}, ${values.connections} connections, ${values.duration} s)`,
);
const minRps = Number(values['min-rps']);
if (minRps > 0 && rps < minRps) {
  console.error(`below --min-rps ${minRps}`);
  process.exitCode = 1;
}
