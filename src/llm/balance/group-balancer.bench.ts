/**
 * Cost of `pick` (and of a whole pick → start → done cycle) per strategy and group size.
 *
 *   node --import tsx src/llm/balance/group-balancer.bench.ts
 *
 * Prints ns per operation and the heap growth over the pick-only loop (close to 0 when picks do
 * not allocate). Figures are noisy on a shared machine; compare runs, not absolutes.
 */
import { FakeClock } from '../../core/fake-clock.js';
import { seededRandom } from '../../core/random.js';
import type { ModelGroupConfig } from '../router-config.js';
import { BALANCER_NAMES } from './balancer-options.js';
import { createGroupBalancer } from './group-balancer.js';

const PICKS = 2_000_000;
const CYCLES = 500_000;

function groupOf(size: number, balancer: ModelGroupConfig['balancer']): ModelGroupConfig {
  return {
    balancer,
    deployments: Array.from({ length: size }, (_, i) => ({ id: `d${i}`, provider: 'p', model: 'm', weight: 1 + (i % 3), rpm: 1e12, tpm: 1e15 })),
  };
}

const gc = (globalThis as { gc?: () => void }).gc;
const rows: Array<Record<string, string | number>> = [];
for (const size of [3, 20]) {
  for (const name of BALANCER_NAMES) {
    const clock = new FakeClock();
    const balancer = createGroupBalancer(groupOf(size, name), { clock, random: seededRandom(1) });
    // Warm up with samples so p2c has estimates.
    for (let i = 0; i < 10_000; i++) {
      const id = balancer.pick()!;
      balancer.start(id)({ ok: true, latencyMs: 100 + (i % 7) * 10, tokens: 10, countsAsFailure: false });
      clock.setTime(clock.now() + 1);
    }
    gc?.();
    const heapBefore = process.memoryUsage().heapUsed;
    let t = process.hrtime.bigint();
    let sink = 0;
    for (let i = 0; i < PICKS; i++) sink += balancer.pick()!.length;
    const pickNs = Number(process.hrtime.bigint() - t) / PICKS;
    const heapGrowthKb = Math.round((process.memoryUsage().heapUsed - heapBefore) / 1024);
    t = process.hrtime.bigint();
    for (let i = 0; i < CYCLES; i++) {
      const id = balancer.pick()!;
      balancer.start(id)({ ok: true, latencyMs: 100, tokens: 10, countsAsFailure: false });
    }
    const cycleNs = Number(process.hrtime.bigint() - t) / CYCLES;
    rows.push({ strategy: name, deployments: size, 'pick ns': Math.round(pickNs), 'pick+start+done ns': Math.round(cycleNs), 'heap growth KB (picks)': gc ? heapGrowthKb : 'run with --expose-gc', sink: sink > 0 ? 'ok' : '-' });
  }
}
console.table(rows);
