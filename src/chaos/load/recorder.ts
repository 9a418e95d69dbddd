import * as hdr from 'hdr-histogram-js';

/** One request's outcome as the load generator saw it. */
export interface Sample {
  /** When the request was meant to be sent (open model) or was sent (closed model), ms on the run's clock. */
  intendedAt: number;
  /** When it was actually sent. */
  sentAt: number;
  endedAt: number;
  ok: boolean;
  status: number;
  /** `x-bulwark-served-by`, when the target reports it. */
  servedBy?: string;
  degraded?: boolean;
  /** Streams: first body chunk, ms on the run's clock. */
  firstChunkAt?: number;
  error?: string;
}

/** Per-second series for charts. */
export interface SecondBucket {
  second: number;
  requests: number;
  errors: number;
  p50Ms: number;
  p99Ms: number;
  servedBy: Record<string, number>;
}

/** Latency figures of a run, in ms. */
export interface LatencySummary {
  count: number;
  avgMs: number;
  minMs: number;
  medMs: number;
  p90Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
}

const histogram = () => hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: 3 });

/** Values are recorded in microseconds for precision and reported in milliseconds. */
function summarize(h: hdr.Histogram): LatencySummary {
  const ms = (us: number) => Math.round(us) / 1000;
  if (h.totalCount === 0) return { count: 0, avgMs: 0, minMs: 0, medMs: 0, p90Ms: 0, p95Ms: 0, p99Ms: 0, maxMs: 0 };
  return {
    count: h.totalCount,
    avgMs: ms(h.mean),
    minMs: ms(h.minNonZeroValue),
    medMs: ms(h.getValueAtPercentile(50)),
    p90Ms: ms(h.getValueAtPercentile(90)),
    p95Ms: ms(h.getValueAtPercentile(95)),
    p99Ms: ms(h.getValueAtPercentile(99)),
    maxMs: ms(h.maxValue),
  };
}

/**
 * Aggregates samples into HDR histograms. `latency` is measured from the *intended* send time,
 * so a stalled server cannot hide behind requests that were never sent (coordinated omission);
 * `serviceTime` is measured from the actual send time, for comparison.
 */
export class Recorder {
  readonly latency = histogram();
  readonly serviceTime = histogram();
  readonly ttft = histogram();
  private readonly seconds = new Map<number, { requests: number; errors: number; h: hdr.Histogram; servedBy: Record<string, number> }>();
  requests = 0;
  errors = 0;
  degraded = 0;
  readonly servedBy: Record<string, number> = {};
  readonly errorsByKind: Record<string, number> = {};

  constructor(private readonly startedAt: number) {}

  record(sample: Sample): void {
    this.requests++;
    const latencyUs = Math.max(1, (sample.endedAt - sample.intendedAt) * 1000);
    this.latency.recordValue(latencyUs);
    this.serviceTime.recordValue(Math.max(1, (sample.endedAt - sample.sentAt) * 1000));
    if (sample.firstChunkAt !== undefined) this.ttft.recordValue(Math.max(1, (sample.firstChunkAt - sample.intendedAt) * 1000));
    if (!sample.ok) {
      this.errors++;
      const kind = sample.error ?? `http_${sample.status}`;
      this.errorsByKind[kind] = (this.errorsByKind[kind] ?? 0) + 1;
    }
    if (sample.degraded) this.degraded++;
    const served = sample.ok ? (sample.servedBy ?? 'unknown') : 'error';
    this.servedBy[served] = (this.servedBy[served] ?? 0) + 1;

    const second = Math.floor((sample.intendedAt - this.startedAt) / 1000);
    let bucket = this.seconds.get(second);
    if (!bucket) {
      bucket = { requests: 0, errors: 0, h: histogram(), servedBy: {} };
      this.seconds.set(second, bucket);
    }
    bucket.requests++;
    if (!sample.ok) bucket.errors++;
    bucket.h.recordValue(latencyUs);
    bucket.servedBy[served] = (bucket.servedBy[served] ?? 0) + 1;
  }

  latencySummary(): LatencySummary {
    return summarize(this.latency);
  }

  serviceTimeSummary(): LatencySummary {
    return summarize(this.serviceTime);
  }

  ttftSummary(): LatencySummary {
    return summarize(this.ttft);
  }

  /** The per-second series, in order, with empty seconds filled in. */
  series(): SecondBucket[] {
    const keys = [...this.seconds.keys()];
    if (keys.length === 0) return [];
    const last = Math.max(...keys);
    const out: SecondBucket[] = [];
    for (let second = 0; second <= last; second++) {
      const bucket = this.seconds.get(second);
      out.push(bucket
        ? { second, requests: bucket.requests, errors: bucket.errors, p50Ms: bucket.h.getValueAtPercentile(50) / 1000, p99Ms: bucket.h.getValueAtPercentile(99) / 1000, servedBy: bucket.servedBy }
        : { second, requests: 0, errors: 0, p50Ms: 0, p99Ms: 0, servedBy: {} });
    }
    return out;
  }
}
