/**
 * The router's own cost per call, without the network: `node --import tsx src/llm/router/router.bench.ts`.
 * An in-process provider answers at once, so the figure is what the router adds (route lookup,
 * cache key hash, pipeline: bulkhead → breaker → retry → timeout, balancer, cache write, events).
 * Cases: a bare provider call (the floor); `chat` with stale-if-error on (the default: the key is
 * hashed and the answer stored); with stale-if-error off; a fresh cache hit; a 3-event stream.
 * Median of BENCH_RUNS (7) runs of BENCH_RUN_MS (300) ms each; noisy on a shared machine.
 */
import type { UpstreamBody } from '../exchange.js';
import type { Provider } from '../provider.js';
import type { ChatRequest } from '../types.js';
import { createRouter } from './create-router.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const RUN_MS = Number(process.env.BENCH_RUN_MS ?? 300);

const answer = Buffer.from(JSON.stringify({
  id: 'x', object: 'chat.completion', created: 0, model: 'm',
  choices: [{ index: 0, message: { role: 'assistant', content: 'hello there' }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 },
}));
const chunk = (body: unknown) => `data: ${JSON.stringify(body)}\n\n`;
const events = [
  chunk({ id: 'x', object: 'chat.completion.chunk', created: 0, model: 'm', choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] }),
  chunk({ id: 'x', object: 'chat.completion.chunk', created: 0, model: 'm', choices: [{ index: 0, delta: { content: 'hello there' }, finish_reason: null }] }),
  chunk({ id: 'x', object: 'chat.completion.chunk', created: 0, model: 'm', choices: [{ index: 0, delta: {}, finish_reason: 'stop' }], usage: { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 } }),
  'data: [DONE]\n\n',
].map((text) => Buffer.from(text));
const provider: Provider = {
  dialect: 'openai',
  send: async () => ({ status: 200, headers: {}, body: answer }),
  open: async (): Promise<UpstreamBody> => {
    let index = 0;
    return {
      status: 200,
      headers: {},
      next: async () => (index < events.length ? { done: false, value: events[index++] } : { done: true, value: undefined }),
      close: () => undefined,
    };
  },
  close: async () => undefined,
};

const router = createRouter(
  {
    providers: { p: { type: 'openai', baseUrl: 'http://127.0.0.1:9/v1' } },
    modelGroups: { g: { deployments: [{ id: 'd1', provider: 'p', model: 'm' }, { id: 'd2', provider: 'p', model: 'm' }] } },
    routes: [
      { name: 'stale', chain: ['g'] },
      { name: 'plain', chain: ['g'], staleIfError: false },
      { name: 'cached', chain: ['g'], cache: true },
    ],
  },
  { providers: () => provider },
);

const request = (model: string): ChatRequest => ({ model, messages: [{ role: 'user', content: 'What is a circuit breaker, in one sentence?' }], temperature: 0 });
const stale = request('stale');
const plain = request('plain');
const cached = request('cached');
await router.chat(cached);

async function measure(name: string, call: () => Promise<unknown>): Promise<void> {
  for (let i = 0; i < 2_000; i++) await call();
  const perOp: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    let ops = 0;
    const start = process.hrtime.bigint();
    const end = start + BigInt(RUN_MS) * 1_000_000n;
    while (process.hrtime.bigint() < end) {
      for (let i = 0; i < 100; i++) await call();
      ops += 100;
    }
    perOp.push(Number(process.hrtime.bigint() - start) / ops);
  }
  perOp.sort((a, b) => a - b);
  const median = perOp[perOp.length >> 1];
  console.log(`${name.padEnd(44)} ${(median / 1000).toFixed(2).padStart(8)} µs/call  ${Math.round(1e9 / median).toLocaleString('en').padStart(9)} calls/s`);
}

const floorCall = { endpoint: 'chat/completions', model: 'm', stream: false, body: [Buffer.from(JSON.stringify(plain))] };
await measure('provider.send alone (floor)', () => provider.send(floorCall));
await measure('router.chat, stale-if-error off', () => router.chat(plain));
await measure('router.chat, stale-if-error on (default)', () => router.chat(stale));
await measure('router.chat, fresh cache hit', () => router.chat(cached));
await measure('router.stream, 3 events read', async () => {
  for await (const _event of await router.stream(plain)) void _event;
});
await router.close();
