import { Counter, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { CounterSlots, HistogramSlots } from './metric-slots.js';

const BUCKETS = [0.01, 0.1, 1, 10];

function pair() {
  const registry = new Registry();
  const counter = new Counter({ name: 'c_total', help: 'c', labelNames: ['route', 'status'], registers: [registry] });
  const histogram = new Histogram({ name: 'h_seconds', help: 'h', labelNames: ['route'], buckets: BUCKETS, registers: [registry] });
  return { registry, counter, histogram };
}

describe('metric slots', () => {
  it('expose exactly what prom-client\'s own inc/observe would (names, labels, buckets, sums, counts)', async () => {
    const viaApi = pair();
    const viaSlots = pair();
    const counters = new CounterSlots(viaSlots.counter);
    const histograms = new HistogramSlots(viaSlots.histogram, BUCKETS);
    const events = [['a', 'ok', 0.005], ['a', 'ok', 0.5], ['b', 'error', 20], ['a', 'error', 0.1], ['b', 'error', 1]] as const;
    for (const [route, status, seconds] of events) {
      viaApi.counter.inc({ route, status });
      viaApi.histogram.observe({ route }, seconds);
      counters.get(`${route}|${status}`, () => ({ route, status })).value += 1;
      histograms.get(route, () => ({ route })).observe(seconds);
    }
    expect(await viaSlots.registry.metrics()).toBe(await viaApi.registry.metrics());
  });

  it('share the record prom-client\'s own inc finds, and never reset a series that already exists', async () => {
    const { registry, counter, histogram } = pair();
    counter.inc({ route: 'a', status: 'ok' }, 2);
    histogram.observe({ route: 'a' }, 0.5);
    new CounterSlots(counter).get('k1', () => ({ route: 'a', status: 'ok' })).value += 1;
    new CounterSlots(counter).get('k2', () => ({ status: 'ok', route: 'a' })).value += 1;
    new HistogramSlots(histogram, BUCKETS).get('a', () => ({ route: 'a' })).observe(5);
    const text = await registry.metrics();
    expect(text).toContain('c_total{route="a",status="ok"} 4');
    expect(text).toContain('h_seconds_count{route="a"} 2');
    expect(text).toContain('h_seconds_bucket{le="1",route="a"} 1');
    expect(text).toContain('h_seconds_bucket{le="10",route="a"} 2');
  });
});
