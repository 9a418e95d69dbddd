/**
 * `npm run bench:core` — the same successful async call through Bulwark's core, cockatiel 4 and
 * opossum 10, in one process:
 *   (a) a bare awaited async call (the floor);
 *   (b) a circuit breaker alone;
 *   (c) retry + breaker + timeout + bulkhead (cockatiel's `wrap(retry, breaker, timeout,
 *       bulkhead)`; opossum's breaker with its timeout option, the closest it has);
 *   (d) Bulwark's gateway deployment order: bulkhead → breaker → retry → attempt timeout;
 * plus Bulwark's other policies alone, for reference.
 *
 * Time: CPU time (process.cpuUsage), not wall time, so that other processes on a shared machine
 * do not inflate it. Each case is calibrated to about RUN_MS, then RUNS timed runs are interleaved
 * between the libraries of a row (a full GC before each) and the median ns/op is reported: what
 * noise remains (caches, frequency) lands on every library alike. Allocation: bytes/op is counted separately, untimed, from V8's own heap
 * statistics (used heap after − before, plus what every GC in between freed), so it does not
 * depend on the machine's load at all. Both include the benchmark loop's own `await` (see row a).
 *
 * Row (c) also measures its floor: a promise of its own plus one reaction on the work's promise,
 * which any timeout that can reject before the work settles needs, with no policy work.
 *
 * Goals (issue 11): (c) ≤ 2.5x a bare await, ≥ 2x faster than opossum's breaker with its
 * timeout, ≤ 1 KB allocated per call. Figures are printed, never asserted.
 *
 * Spread: each case's runs are printed as min–max, and the ratio of (c) to the bare await is
 * also taken run by run (each run of (c) against the bare run beside it), median and range.
 *
 * Code: `npm run bench:core` runs the TypeScript sources through tsx (esbuild strips the types:
 * the JavaScript V8 runs is the same as tsc's); `BENCH_FROM=dist` imports the compiled package
 * (`npm run build` first) — what users run.
 *
 * Env: BENCH_RUNS (default 7), BENCH_RUN_MS (default 250), BENCH_ALLOC_CALLS (default 20000),
 * BENCH_FROM (`src`, default, or `dist`).
 */
import { GCProfiler, getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { loadavg } from 'node:os';
import * as cockatiel from 'cockatiel';
import Opossum from 'opossum';
import type * as Core from '../src/core/index.js';

const FROM = process.env.BENCH_FROM ?? 'src';
if (FROM !== 'src' && FROM !== 'dist') throw new Error(`BENCH_FROM must be src or dist, got ${FROM}`);
const core = (await import(FROM === 'dist' ? '../dist/core/index.js' : '../src/core/index.js')) as typeof Core;
const { adaptiveLimit, bulkhead, circuitBreaker, fallback, hedge, pipeline, rateLimiter, retry, timeout } = core;

const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const RUN_MS = Number(process.env.BENCH_RUN_MS ?? 250);
const ALLOC_CALLS = Number(process.env.BENCH_ALLOC_CALLS ?? 20_000);
/** Goal of issue 11 for row (c): at most this many times a bare await. */
const GOAL_MAX_TIMES_BARE = 2.5;
/** Goal for row (c): at least this many times faster than opossum's breaker with its timeout. */
const GOAL_MIN_VS_OPOSSUM = 2;
/** Goal for row (c): bytes allocated per call. */
const GOAL_MAX_BYTES_PER_CALL = 1024;

type Case = () => Promise<unknown>;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const work = async () => 42;

/** CPU time per call (user + system, all threads): unlike wall time, other processes on a shared machine do not inflate it. */
async function loop(fn: Case, iterations: number): Promise<number> {
  const start = process.cpuUsage();
  for (let i = 0; i < iterations; i++) await fn();
  const used = process.cpuUsage(start);
  return ((used.user + used.system) * 1000) / iterations;
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
 * Bytes allocated per call: V8's used heap after the loop minus before, plus what each GC that ran
 * in between reclaimed (GCProfiler reports the heap before and after every collection).
 */
async function bytesPerCall(fn: Case): Promise<number> {
  for (let i = 0; i < 2_000; i++) await fn(); // warm: lazily built state is not per-call cost
  gc();
  const profiler = new GCProfiler();
  profiler.start();
  const before = getHeapStatistics().used_heap_size;
  for (let i = 0; i < ALLOC_CALLS; i++) await fn();
  const after = getHeapStatistics().used_heap_size;
  const { statistics } = profiler.stop();
  let reclaimed = 0;
  for (const s of statistics) reclaimed += s.beforeGC.heapStatistics.usedHeapSize - s.afterGC.heapStatistics.usedHeapSize;
  return (after - before + reclaimed) / ALLOC_CALLS;
}

interface Measured {
  /** Median CPU ns/op over the runs. */
  ns: number;
  /** Every run's ns/op, in run order. */
  runs: number[];
  bytes: number;
}

/**
 * Median ns/op and bytes/op of each case. The cases of one row are interleaved run by run, with a
 * full GC before each run, so that machine noise and one library's garbage do not land on another's figure.
 */
async function measureRow(cases: Case[]): Promise<Measured[]> {
  const iterations: number[] = [];
  for (const fn of cases) iterations.push(await calibrate(fn));
  const results: number[][] = cases.map(() => []);
  for (let r = 0; r < RUNS; r++) {
    for (let c = 0; c < cases.length; c++) {
      gc();
      results[c].push(await loop(cases[c], iterations[c]));
    }
  }
  const bytes: number[] = [];
  for (const fn of cases) bytes.push(await bytesPerCall(fn));
  return results.map((runs, c) => ({ ns: median(runs), runs, bytes: bytes[c] }));
}

function median(values: number[]): number {
  return [...values].sort((x, y) => x - y)[values.length >> 1];
}

// --- (a) bare -----------------------------------------------------------------------------
const bare: Case = () => work();

// --- the floor of (c): what any timeout that can reject before the work settles must do --------
// A promise of its own for the caller (settled by whichever comes first) and one reaction, with
// the call's identity, on the work's promise; no policy work at all.
class FloorCall {
  resolve: ((value: unknown) => void) | undefined = undefined;
  reject: ((error: unknown) => void) | undefined = undefined;
}
let settling: FloorCall | undefined;
function captureFloor(resolve: (value: unknown) => void, reject: (error: unknown) => void): void {
  settling!.resolve = resolve;
  settling!.reject = reject;
}
const floorOwnPromise: Case = () => {
  const call = new FloorCall();
  settling = call;
  const promise = new Promise(captureFloor);
  settling = undefined;
  work().then((value) => call.resolve!(value), (error: unknown) => call.reject!(error));
  return promise;
};

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

// --- (d) the gateway's deployment order ---------------------------------------------------------
const bwDeployment = pipeline(
  bulkhead({ maxConcurrent: 10, maxQueued: 0 }),
  circuitBreaker(),
  retry({ maxAttempts: 3 }),
  timeout({ timeoutMs: 10_000 }),
);

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
  bulwark?: Measured;
  cockatiel?: Measured;
  opossum?: Measured;
}

const ns = (m: Measured | undefined) => (m === undefined ? '—' : m.ns.toFixed(0));
const spread = (m: Measured | undefined) => (m === undefined ? '—' : `${Math.min(...m.runs).toFixed(0)}–${Math.max(...m.runs).toFixed(0)}`);
const bytes = (m: Measured | undefined) => (m === undefined ? '—' : m.bytes.toFixed(0));
const ratio = (other: Measured | undefined, ours: Measured | undefined) =>
  other === undefined || ours === undefined ? '—' : `${(other.ns / ours.ns).toFixed(2)}x`;
const verdict = (met: boolean) => (met ? 'MET' : 'NOT MET');

function printTable(header: string[], table: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ')} |`;
  console.log(line(header));
  console.log(`|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`);
  for (const row of table) console.log(line(row));
}

async function main(): Promise<void> {
  const load = loadavg().map((l) => l.toFixed(2)).join(' ');
  const rows: Row[] = [];
  // The first timed case would otherwise pay for the process warming up (JIT, heap growth).
  await measureRow([bare]);
  const [bareM] = await measureRow([bare]);
  rows.push({ name: '(a) bare awaited async call', bulwark: bareM, cockatiel: bareM, opossum: bareM });
  const [bB, cB, oB] = await measureRow([() => bwBreaker.execute(work), () => ckBreaker.execute(work), () => opBreakerOnly.fire()]);
  rows.push({ name: '(b) circuit breaker alone', bulwark: bB, cockatiel: cB, opossum: oB });
  // The bare call is measured again inside row (c) so the ratio to it comes from the same runs.
  const [bC, cC, oC, bareC, floorC] = await measureRow([() => bwFull.execute(work), () => ckFull.execute(work), () => opFull.fire(), bare, floorOwnPromise]);
  rows.push({ name: '(c) retry+breaker+timeout+bulkhead', bulwark: bC, cockatiel: cC, opossum: oC });
  const [bD] = await measureRow([() => bwDeployment.execute(work)]);
  rows.push({ name: '(d) bulkhead+breaker+retry+timeout', bulwark: bD });
  const alone: Array<[string, Case]> = [
    ['retry alone', () => bwRetry.execute(work)],
    ['timeout alone', () => bwTimeout.execute(work)],
    ['bulkhead alone', () => bwBulkhead.execute(work)],
    ['fallback alone', () => bwFallback.execute(work)],
    ['hedge alone', () => bwHedge.execute(work)],
    ['rate limiter alone', () => bwRate.execute(work)],
    ['adaptive limit alone', () => bwAdaptive.execute(work)],
  ];
  const aloneM = await measureRow(alone.map(([, fn]) => fn));
  alone.forEach(([name], i) => rows.push({ name, bulwark: aloneM[i] }));

  console.log(`Node ${process.version}, code from ${FROM === 'dist' ? 'dist/ (compiled by tsc)' : 'src/ through tsx'}, load average ${load} at start; CPU ns/op, median of ${RUNS} interleaved runs of ~${RUN_MS} ms; ` +
    `bytes/op over ${ALLOC_CALLS} calls (both include the loop's own await: see row a)\n`);
  printTable(
    ['case', 'bulwark ns/op', 'bulwark min–max', 'cockatiel ns/op', 'opossum ns/op', 'cockatiel/bulwark', 'opossum/bulwark', 'bulwark B/op', 'cockatiel B/op', 'opossum B/op'],
    rows.map((r) => [r.name, ns(r.bulwark), spread(r.bulwark), ns(r.cockatiel), ns(r.opossum), ratio(r.cockatiel, r.bulwark), ratio(r.opossum, r.bulwark), bytes(r.bulwark), bytes(r.cockatiel), bytes(r.opossum)]),
  );

  const timesBare = bC.ns / bareC.ns;
  // Run by run: each run of (c) against the bare run beside it (the same moment's machine).
  const perRun = bC.runs.map((c, r) => c / bareC.runs[r]);
  const vsOpossum = oC.ns / bC.ns;
  const vsCockatiel = cC.ns / bC.ns;
  console.log(`\n(c) vs a bare await in the same runs (${bareC.ns.toFixed(0)} ns, runs ${spread(bareC)}): ${timesBare.toFixed(2)}x ` +
    `(run by run: median ${median(perRun).toFixed(2)}x, ${Math.min(...perRun).toFixed(2)}–${Math.max(...perRun).toFixed(2)}x) ` +
    `(goal ≤ ${GOAL_MAX_TIMES_BARE}x) ${verdict(timesBare <= GOAL_MAX_TIMES_BARE)}`);
  console.log(`(c) floor, a promise of its own + one reaction and no policy work: ${floorC.ns.toFixed(0)} ns = ${(floorC.ns / bareC.ns).toFixed(2)}x a bare await, ` +
    `${floorC.bytes.toFixed(0)} B/call; the policies add ${(bC.ns - floorC.ns).toFixed(0)} ns and ${(bC.bytes - floorC.bytes).toFixed(0)} B`);
  console.log(`(c) vs opossum breaker+timeout: ${vsOpossum.toFixed(2)}x faster (goal ≥ ${GOAL_MIN_VS_OPOSSUM}x) ${verdict(vsOpossum >= GOAL_MIN_VS_OPOSSUM)}`);
  console.log(`(c) vs cockatiel wrap(): ${vsCockatiel.toFixed(1)}x faster`);
  console.log(`(c) allocated: ${bC.bytes.toFixed(0)} B/call (goal ≤ ${GOAL_MAX_BYTES_PER_CALL}) ${verdict(bC.bytes <= GOAL_MAX_BYTES_PER_CALL)}; ` +
    `${(bC.bytes - bareC.bytes).toFixed(0)} B beyond the bare call`);
  console.log(`load average at end: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  opBreakerOnly.shutdown();
  opFull.shutdown();
}

await main();
