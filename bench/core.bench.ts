/**
 * `npm run bench:core` — the same successful async call through Bulwark's core, cockatiel 3 and
 * opossum 9, in one process:
 *   (a) a bare awaited async call (the floor);
 *   (b) a circuit breaker alone;
 *   (c) retry + breaker + timeout + bulkhead (cockatiel's `wrap(retry, breaker, timeout,
 *       bulkhead)`; opossum's breaker with its timeout option, the closest it has);
 * plus Bulwark's other policies alone, for reference. Each case: warm-up, then RUNS timed runs of
 * about RUN_MS each, interleaved between libraries with a GC before each; the median ns/op is
 * reported. Figures are noisy on a shared machine.
 *
 * Env: BENCH_RUNS (default 7), BENCH_RUN_MS (default 250).
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import * as cockatiel from 'cockatiel';
import Opossum from 'opossum';
import {
  adaptiveLimit, bulkhead, circuitBreaker, fallback, hedge, pipeline, rateLimiter, retry, timeout,
} from '../src/core/index.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const RUN_MS = Number(process.env.BENCH_RUN_MS ?? 250);

type Case = () => Promise<unknown>;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const work = async () => 42;

async function loop(fn: Case, iterations: number): Promise<number> {
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) await fn();
  return Number(process.hrtime.bigint() - start) / iterations;
}

async function calibrate(fn: Case): Promise<number> {
  // Find an iteration count that takes about RUN_MS, warming up as we go.
  let iterations = 1_000;
  for (;;) {
    const ns = await loop(fn, iterations);
    if (ns * iterations >= RUN_MS * 1e6 * 0.5) {
      iterations = Math.max(1_000, Math.round((RUN_MS * 1e6) / ns));
      break;
    }
    iterations *= 4;
  }
  await loop(fn, iterations); // one more full-length warm-up
  return iterations;
}

/**
 * Median ns/op of each case. The cases of one row are interleaved run by run, with a full GC
 * before each run, so that machine noise and one library's garbage do not land on another's figure.
 */
async function measureRow(cases: Case[]): Promise<number[]> {
  const iterations: number[] = [];
  for (const fn of cases) iterations.push(await calibrate(fn));
  const results: number[][] = cases.map(() => []);
  for (let r = 0; r < RUNS; r++) {
    for (let c = 0; c < cases.length; c++) {
      gc();
      results[c].push(await loop(cases[c], iterations[c]));
    }
  }
  return results.map((runs) => runs.sort((x, y) => x - y)[runs.length >> 1]);
}

// --- (a) bare -----------------------------------------------------------------------------
const bare: Case = () => work();

// --- (b) breaker alone ----------------------------------------------------------------------
const bwBreaker = circuitBreaker();
const ckBreaker = cockatiel.circuitBreaker(cockatiel.handleAll, {
  halfOpenAfter: 60_000,
  breaker: new cockatiel.ConsecutiveBreaker(5),
});
const opBreakerOnly = new Opossum(work, { timeout: false, resetTimeout: 60_000 });

// --- (c) retry + breaker + timeout + bulkhead -------------------------------------------------
const bwFull = pipeline(
  retry({ maxAttempts: 3 }),
  circuitBreaker(),
  timeout({ timeoutMs: 10_000 }),
  bulkhead({ maxConcurrent: 10, maxQueued: 0 }),
);
const ckFull = cockatiel.wrap(
  cockatiel.retry(cockatiel.handleAll, { maxAttempts: 2, backoff: new cockatiel.ExponentialBackoff() }), // 2 retries = 3 attempts
  cockatiel.circuitBreaker(cockatiel.handleAll, { halfOpenAfter: 60_000, breaker: new cockatiel.ConsecutiveBreaker(5) }),
  cockatiel.timeout(10_000, cockatiel.TimeoutStrategy.Aggressive),
  cockatiel.bulkhead(10, 0),
);
const opFull = new Opossum(work, { timeout: 10_000, resetTimeout: 60_000 });

// --- Bulwark policies alone (reference) -------------------------------------------------------
const bwRetry = retry();
const bwTimeout = timeout({ timeoutMs: 10_000 });
const bwBulkhead = bulkhead({ maxConcurrent: 10 });
const bwFallback = fallback({ value: 0 });
const bwHedge = hedge({ delayMs: 10_000 });
const bwRate = rateLimiter({ ratePerSecond: 1e12, burst: 1e12 });
const bwAdaptive = adaptiveLimit();

interface Row {
  name: string;
  bulwark?: number;
  cockatiel?: number;
  opossum?: number;
}

const fmt = (ns: number | undefined) => (ns === undefined ? '—' : ns.toFixed(0));
const ratio = (other: number | undefined, ours: number | undefined) =>
  other === undefined || ours === undefined ? '—' : `${(other / ours).toFixed(1)}x`;

async function main(): Promise<void> {
  const rows: Row[] = [];
  // The first timed case would otherwise pay for the process warming up (JIT, heap growth).
  await measureRow([bare]);
  const [bareNs] = await measureRow([bare]);
  rows.push({ name: '(a) bare awaited async call', bulwark: bareNs, cockatiel: bareNs, opossum: bareNs });
  const [bB, cB, oB] = await measureRow([() => bwBreaker.execute(work), () => ckBreaker.execute(work), () => opBreakerOnly.fire()]);
  rows.push({ name: '(b) circuit breaker alone', bulwark: bB, cockatiel: cB, opossum: oB });
  const [bC, cC, oC] = await measureRow([() => bwFull.execute(work), () => ckFull.execute(work), () => opFull.fire()]);
  rows.push({ name: '(c) retry+breaker+timeout+bulkhead', bulwark: bC, cockatiel: cC, opossum: oC });
  const alone: Array<[string, Case]> = [
    ['retry alone', () => bwRetry.execute(work)],
    ['timeout alone', () => bwTimeout.execute(work)],
    ['bulkhead alone', () => bwBulkhead.execute(work)],
    ['fallback alone', () => bwFallback.execute(work)],
    ['hedge alone', () => bwHedge.execute(work)],
    ['rate limiter alone', () => bwRate.execute(work)],
    ['adaptive limit alone', () => bwAdaptive.execute(work)],
  ];
  const aloneNs = await measureRow(alone.map(([, fn]) => fn));
  alone.forEach(([name], i) => rows.push({ name, bulwark: aloneNs[i] }));

  const header = ['case', 'bulwark ns/op', 'cockatiel ns/op', 'opossum ns/op', 'cockatiel/bulwark', 'opossum/bulwark'];
  const table = rows.map((r) => [r.name, fmt(r.bulwark), fmt(r.cockatiel), fmt(r.opossum), ratio(r.cockatiel, r.bulwark), ratio(r.opossum, r.bulwark)]);
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ')} |`;
  console.log(`Node ${process.version}, median of ${RUNS} runs of ~${RUN_MS} ms each (lower ns/op is better; ratios > 1x mean Bulwark is faster)\n`);
  console.log(line(header));
  console.log(`|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`);
  for (const row of table) console.log(line(row));

  const full = rows[2];
  const vsCockatiel = full.cockatiel! / full.bulwark!;
  const vsOpossum = full.opossum! / full.bulwark!;
  console.log(`\n(c) goals: >= 10x faster than cockatiel: ${vsCockatiel.toFixed(1)}x ${vsCockatiel >= 10 ? 'MET' : 'NOT MET'}; ` +
    `not slower than opossum+timeout: ${vsOpossum.toFixed(2)}x ${vsOpossum >= 1 ? 'MET' : 'NOT MET'}`);
  opBreakerOnly.shutdown();
  opFull.shutdown();
}

await main();
