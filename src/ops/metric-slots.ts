import type { Counter, Histogram } from 'prom-client';

/** A counter series as prom-client keeps it (what the exposition reads). */
export interface CounterEntry {
  value: number;
}

/** A histogram series as prom-client keeps it: cumulative counts are computed at scrape from `bucketValues`. */
interface HistogramEntry {
  sum: number;
  count: number;
  bucketValues: Record<number, number>;
}

type Labels = Record<string, string>;

function sameLabels(a: unknown, b: Labels): boolean {
  if (a === null || typeof a !== 'object') return false;
  const other = a as Labels;
  let n = 0;
  for (const name in b) {
    if (other[name] !== b[name]) return false;
    n++;
  }
  return Object.keys(other).length === n;
}

/** prom-client's own record of the series `labels` (its `hashMap`), or undefined; read once per new series. */
function findEntry<E>(metric: object, labels: Labels): E | undefined {
  const store = (metric as { hashMap?: Record<string, { labels?: unknown }> }).hashMap;
  if (store === undefined) throw new Error('metric slots: prom-client keeps its series differently than 15.x did (see src/ops/metric-slots.ts)');
  for (const key in store) if (sameLabels(store[key].labels, labels)) return store[key] as E;
  return undefined;
}

/** The record of `labels`, made by `create` (prom-client's public API) when there is none yet. */
function entryOf<E>(metric: object, labels: Labels, create: () => void): E {
  const found = findEntry<E>(metric, labels);
  if (found !== undefined) return found;
  create();
  const made = findEntry<E>(metric, labels);
  if (made === undefined) throw new Error('metric slots: prom-client keeps its series differently than 15.x did (see src/ops/metric-slots.ts)');
  return made;
}

/**
 * Pre-resolved series of one prom-client counter: the hot path looks a series up by a key the
 * caller builds (label values joined), then adds to prom-client's own record of it — no label
 * object, no validation, no hashing per update. The exposition is prom-client's, unchanged
 * (names, help, labels, format). Every update of the counter must go through its slots (or
 * through prom-client's `inc`, which finds the same record); a series is created on first use.
 *
 * @example const slots = new CounterSlots(counter); slots.get(key, () => ({ route, reason })).value++;
 */
export class CounterSlots {
  private readonly slots = new Map<string, CounterEntry>();
  constructor(private readonly counter: Counter<string>) {}

  /** The series `key` stands for; `labels` builds its labels the first time. */
  get(key: string, labels: () => Labels): CounterEntry {
    const slot = this.slots.get(key);
    return slot !== undefined ? slot : this.create(key, labels());
  }

  private create(key: string, labels: Labels): CounterEntry {
    const entry = entryOf<CounterEntry>(this.counter, labels, () => this.counter.inc(labels, 0));
    this.slots.set(key, entry);
    return entry;
  }
}

/** One histogram series, resolved: an observation is a bucket search and three additions. */
export class HistogramSeries {
  constructor(private readonly entry: HistogramEntry, private readonly bounds: readonly number[]) {}

  observe(value: number): void {
    const entry = this.entry;
    entry.sum += value;
    entry.count += 1;
    const bounds = this.bounds;
    for (let i = 0; i < bounds.length; i++) {
      if (value <= bounds[i]) {
        entry.bucketValues[bounds[i]] += 1;
        return;
      }
    }
  }
}

/**
 * Pre-resolved series of one prom-client histogram (see {@link CounterSlots}). prom-client's own
 * `observe` (used for exemplars) finds the same record.
 */
export class HistogramSlots {
  private readonly slots = new Map<string, HistogramSeries>();
  private readonly bounds: readonly number[];

  constructor(private readonly histogram: Histogram<string>, buckets: readonly number[]) {
    this.bounds = Object.freeze([...buckets]);
  }

  /** The series `key` stands for; `labels` builds its labels the first time. */
  get(key: string, labels: () => Labels): HistogramSeries {
    const slot = this.slots.get(key);
    if (slot !== undefined) return slot;
    const made = labels();
    const series = new HistogramSeries(entryOf<HistogramEntry>(this.histogram, made, () => this.histogram.zero(made)), this.bounds);
    this.slots.set(key, series);
    return series;
  }
}
