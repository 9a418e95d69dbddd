import { parseArgs } from 'node:util';
import { request } from 'undici';
import { startFaultProxy } from '../../chaos/faults/proxy.js';
import { parseToxicShorthand, type Toxic } from '../../chaos/faults/toxics.js';
import { InvalidOptionsError } from '../../core/errors.js';
import { seededRandom } from '../../core/random.js';
import { type Command, EXIT_FAILED, EXIT_OK, EXIT_USAGE } from '../command.js';

const DEFAULT_API = 'http://127.0.0.1:8474';

const USAGE = `Usage: bulwark faults <start|add|list|remove|reset> [options]

A fault-injection proxy in front of any upstream (TCP, or HTTP-aware), with toxics in the style
of Toxiproxy, changeable at runtime.

  bulwark faults start --upstream HOST:PORT [--listen HOST:PORT] [--mode tcp|http]
                       [--api HOST:PORT] [--toxic SPEC]... [--seed N]
      Runs the proxy until Ctrl-C. Defaults: --listen 127.0.0.1:4011, --api 127.0.0.1:8474.
  bulwark faults add SPEC [--api URL]      add (or replace) a toxic
  bulwark faults add --json '{...}'        the same, as the API's JSON
  bulwark faults list [--api URL]
  bulwark faults remove NAME [--api URL]
  bulwark faults reset [--api URL]         remove every toxic

SPEC is type[:key=value,...]; the keys name, stream (upstream|downstream) and toxicity (0..1)
set those fields, the rest are attributes:
  latency:latencyMs=200,jitterMs=50     bandwidth:rateKBps=64       timeout:timeoutMs=0 (hang)
  reset_peer:timeoutMs=100              slicer:averageSize=16,delayMs=5
  limit_data:bytes=1024                 slow_close:delayMs=2000
  http_status:status=429,retryAfterSeconds=2,toxicity=0.3  (http mode)
  http_corrupt:toxicity=0.1                                (http mode)

Exit codes: 0 ok, 1 the API refused, 2 usage error.`;

const faults: Command = {
  name: 'faults',
  summary: 'Fault-injection proxy (latency, bandwidth, hangs, resets, HTTP errors) controlled at runtime',
  usage: USAGE,
  async run(args) {
    const [sub, ...rest] = args;
    let parsed;
    try {
      parsed = parseArgs({
        args: rest,
        allowPositionals: true,
        options: {
          upstream: { type: 'string' },
          listen: { type: 'string', default: '127.0.0.1:4011' },
          mode: { type: 'string', default: 'tcp' },
          api: { type: 'string' },
          toxic: { type: 'string', multiple: true, default: [] },
          json: { type: 'string' },
          seed: { type: 'string' },
        },
      });
    } catch (error) {
      console.error(`bulwark faults: ${(error as Error).message}`);
      return EXIT_USAGE;
    }
    const v = parsed.values;
    const api = (v.api ?? DEFAULT_API).replace(/\/$/, '');
    const apiUrl = api.includes('://') ? api : `http://${api}`;
    try {
      switch (sub) {
        case 'start': return await start(v);
        case 'add': {
          const body = v.json ? parseJsonOption(v.json) : parsed.positionals[0] ? parseToxicShorthand(parsed.positionals[0]) : undefined;
          if (!body) throw new UsageError('add: give a SPEC or --json');
          return await call(apiUrl, 'POST', '/toxics', body);
        }
        case 'list': return await call(apiUrl, 'GET', '/toxics');
        case 'remove': {
          if (!parsed.positionals[0]) throw new UsageError('remove: give the toxic NAME');
          return await call(apiUrl, 'DELETE', `/toxics/${encodeURIComponent(parsed.positionals[0])}`);
        }
        case 'reset': return await call(apiUrl, 'POST', '/reset');
        default:
          console.error(sub ? `bulwark faults: unknown sub-command '${sub}'\n\n${USAGE}` : USAGE);
          return EXIT_USAGE;
      }
    } catch (error) {
      console.error(`bulwark faults: ${(error as Error).message}`);
      return error instanceof UsageError || error instanceof InvalidOptionsError ? EXIT_USAGE : EXIT_FAILED;
    }
  },
};

class UsageError extends Error {}

function seedOption(text: string): number {
  const seed = Number(text);
  if (!Number.isInteger(seed) || seed < 0) throw new UsageError(`--seed: expected a non-negative integer, got '${text}'`);
  return seed;
}

function parseJsonOption(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageError(`--json: not valid JSON (${(error as Error).message})`);
  }
}

function hostPort(text: string, field: string): { host: string; port: number } {
  const match = /^(.*):(\d+)$/.exec(text);
  if (!match) throw new UsageError(`${field}: expected HOST:PORT, got '${text}'`);
  return { host: match[1].replace(/^\[|\]$/g, '') || '127.0.0.1', port: Number(match[2]) };
}

async function start(v: { upstream?: string; listen?: string; mode?: string; api?: string; toxic?: string[]; seed?: string }): Promise<number> {
  if (!v.upstream) throw new UsageError('start: --upstream HOST:PORT is required');
  if (v.mode !== 'tcp' && v.mode !== 'http') throw new UsageError(`--mode: expected tcp or http, got '${v.mode}'`);
  const listen = hostPort(v.listen!, '--listen');
  const api = hostPort(v.api ?? '127.0.0.1:8474', '--api');
  const toxics: Toxic[] = v.toxic!.map(parseToxicShorthand);
  const proxy = await startFaultProxy({
    upstream: v.upstream, host: listen.host, port: listen.port, mode: v.mode, api, toxics,
    random: v.seed === undefined ? undefined : seededRandom(seedOption(v.seed)),
  });
  console.log(`bulwark faults: ${v.mode} proxy ${proxy.url} → ${v.upstream}; control API ${proxy.apiUrl}`);
  for (const toxic of proxy.toxics()) console.log(`  toxic ${toxic.name} (${toxic.type}, ${toxic.stream}, toxicity ${toxic.toxicity})`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await proxy.close();
  return EXIT_OK;
}

async function call(api: string, method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<number> {
  let response;
  try {
    response = await request(`${api}${path}`, { method, body: body === undefined ? undefined : JSON.stringify(body), headers: { 'content-type': 'application/json' } });
  } catch (error) {
    throw new Error(`cannot reach the fault proxy's control API at ${api} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); is \`bulwark faults start\` running there? (--api)`);
  }
  const text = await response.body.text();
  if (response.statusCode >= 400) {
    console.error(`bulwark faults: ${response.statusCode} ${text}`);
    return EXIT_FAILED;
  }
  console.log(JSON.stringify(JSON.parse(text), null, 2));
  return EXIT_OK;
}

export default faults;
