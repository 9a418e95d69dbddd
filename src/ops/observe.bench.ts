// Cost of recording: `node --import tsx src/ops/observe.bench.ts`. Numbers are per event, single core.
import { FakeClock } from '../core/fake-clock.js';
import { createOps } from './ops.js';
import { attemptEvent, failedRequest, requestEvent, silentLogger } from './test-events.js';

const clock = new FakeClock();
const ops = createOps(
  { topology: { groups: { gpt4: ['a', 'b', 'c'] }, routes: { 'gpt-4': { chain: ['gpt4'] }, mini: { chain: ['gpt4'] } } }, metrics: { tenants: ['acme', 'globex'] }, alerts: { sinks: [] } },
  { clock, logger: silentLogger },
);
const N = 200_000;
const deployments = ['a', 'b', 'c'];
const requests = Array.from({ length: 64 }, (_, i) =>
  i % 16 === 0 ? failedRequest(0, { route: i % 2 ? 'gpt-4' : 'mini' }) : requestEvent(0, { route: i % 2 ? 'gpt-4' : 'mini', servedBy: deployments[i % 3], tenant: i % 5 ? 'acme' : 'someone', durationMs: 50 + i * 20 }));
const attempts = Array.from({ length: 64 }, (_, i) => attemptEvent(0, { deployment: deployments[i % 3], ok: i % 16 !== 0, errorKind: i % 16 ? undefined : 'timeout', durationMs: 40 + i * 15 }));

function bench(name: string, fn: (i: number) => void) {
  for (let i = 0; i < 20_000; i++) fn(i); // warm-up
  const start = process.hrtime.bigint();
  for (let i = 0; i < N; i++) fn(i);
  const ns = Number(process.hrtime.bigint() - start) / N;
  console.log(`${name.padEnd(18)} ${(ns / 1000).toFixed(2)} µs/event`);
}
const t0 = clock.now();
bench('request (total)', (i) => { const e = requests[i & 63]; e.at = t0 + i; ops.observe.request(e); });
bench('attempt (total)', (i) => { const e = attempts[i & 63]; e.at = t0 + i; ops.observe.attempt(e); });
// What the emitting request pays: the push only (aggregation runs on the next macrotask).
let pushNs = 0;
for (let round = 0; round < 50; round++) {
  const s0 = process.hrtime.bigint();
  for (let i = 0; i < 4000; i++) { const e = requests[i & 63]; e.at = t0 + i; ops.observe.request(e); }
  pushNs += Number(process.hrtime.bigint() - s0);
  await new Promise((r) => setImmediate(r));
}
console.log(`caller pays        ${(pushNs / 200_000 / 1000).toFixed(3)} µs/event (push; aggregation deferred)`);
const start = process.hrtime.bigint();
for (let i = 0; i < 1000; i++) ops.alerts.evaluate();
console.log(`alerts.evaluate    ${(Number(process.hrtime.bigint() - start) / 1000 / 1e6).toFixed(3)} ms/tick`);
ops.close();
