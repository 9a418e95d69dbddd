/**
 * `node --import tsx bench/state.bench.ts` — what the Redis-backed shared state costs a request,
 * against the Redis at 127.0.0.1:6379 (or BULWARK_TEST_REDIS_URL), one key prefix, cleaned up:
 *   - latency of one sliding-window take (the Lua script behind key and deployment RPM);
 *   - latency of one response-cache get;
 *   - breaker propagation: time from `set` on one replica's store to the other's listener
 *     (pub/sub), as seen by two links in one process.
 * Sequential calls (no pipelining across requests); p50/p99 in µs. Noisy on a shared machine.
 *
 * Env: BENCH_N (default 2000).
 */
import { MemoryCacheStore } from '../src/state/cache/memory-cache-store.js';
import { RedisBreakerStateStore } from '../src/state/breaker/redis-breaker-store.js';
import { RedisCacheStore } from '../src/state/cache/redis-cache-store.js';
import { RedisSlidingWindowLimiter } from '../src/state/rate-limit/redis-sliding-window.js';
import { TestLinks } from '../src/state/test-support.js';

const N = Number(process.env.BENCH_N ?? 2000);

function percentiles(samples: number[]): string {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))];
  return `p50 ${at(0.5).toFixed(0)} µs, p99 ${at(0.99).toFixed(0)} µs (n=${s.length})`;
}

async function time(fn: (i: number) => Promise<unknown>): Promise<number[]> {
  for (let i = 0; i < 200; i++) await fn(i); // warm-up (script load, JIT)
  const out: number[] = [];
  for (let i = 0; i < N; i++) {
    const t = performance.now();
    await fn(i);
    out.push((performance.now() - t) * 1000);
  }
  return out;
}

const links = new TestLinks();
try {
  const a = await links.open({ commandTimeoutMs: 1_000 });
  const b = await links.open({ commandTimeoutMs: 1_000 });
  const limiter = new RedisSlidingWindowLimiter(a);
  console.log(`sliding-window take:  ${percentiles(await time(() => limiter.take('bench', 1, 1e9, 60_000)))}`);
  const cache = new RedisCacheStore(a, { local: new MemoryCacheStore() });
  await cache.set('k', JSON.stringify({ text: 'x'.repeat(2_000) }), 60_000);
  console.log(`cache get (2 kB):     ${percentiles(await time(() => cache.get('k')))}`);
  const one = await RedisBreakerStateStore.open(a, { reconcileIntervalMs: 0 });
  const two = await RedisBreakerStateStore.open(b, { reconcileIntervalMs: 0 });
  let heard: (() => void) | undefined;
  two.subscribe('svc', () => heard?.());
  let changedAt = Date.now();
  const propagation = await time(async (i) => {
    const arrived = new Promise<void>((resolve) => (heard = resolve));
    changedAt++; // strictly newer each time, or the compare-and-set keeps the previous state
    await one.set('svc', { version: 1, state: i % 2 ? 'open' : 'closed', reason: 'bench', changedAt, openUntil: i % 2 ? changedAt + 60_000 : null, consecutiveTrips: i % 2 });
    await arrived;
  });
  console.log(`breaker propagation:  ${percentiles(propagation)}`);
  one.close();
  two.close();
} finally {
  await links.close();
}
