import { ValueType, type Attributes, type HrTime } from '@opentelemetry/api';
import type { Resource } from '@opentelemetry/resources';
import type { CollectionResult, DataPoint, MetricData, MetricProducer, ScopeMetrics } from '@opentelemetry/sdk-metrics';
import type { Registry, RegistryContentType } from 'prom-client';

/** Instrumentation scope of the exported metrics. */
export const METER_NAME = 'bulwark';

/** The enum values this module needs from `@opentelemetry/sdk-metrics` (loaded lazily by the caller). */
export interface SdkMetricsEnums {
  DataPointType: { HISTOGRAM: number; GAUGE: number; SUM: number };
  AggregationTemporality: { CUMULATIVE: number };
}

interface PromValue {
  value: number;
  labels: Record<string, string | number | undefined>;
  metricName?: string;
}
interface PromMetric {
  name: string;
  help: string;
  type: string;
  values: PromValue[];
}

interface HistogramPoint {
  attributes: Attributes;
  bounds: Array<[number, number]>;
  infCount: number;
  sum: number;
  count: number;
}

const toHrTime = (ms: number): HrTime => [Math.floor(ms / 1000), Math.round((ms % 1000) * 1e6)];

function attributesOf(labels: PromValue['labels'], skip?: string): Attributes {
  const attributes: Attributes = {};
  for (const [key, value] of Object.entries(labels)) {
    // prom-client reports an unset label as ''; Prometheus treats it as absent, and so do we.
    if (key === skip || value === undefined || value === '') continue;
    attributes[key] = value;
  }
  return attributes;
}

/** One key per label set, independent of label order. */
function keyOf(attributes: Attributes): string {
  return JSON.stringify(Object.keys(attributes).sort().map((k) => [k, attributes[k]]));
}

/**
 * Bridges Bulwark's prom-client registries into OpenTelemetry metrics: at each collection (the
 * export interval, never on the request path) it reads the same series `/metrics` shows and hands
 * them to the SDK as cumulative data — counters as monotonic sums (named without Prometheus'
 * `_total`, which a collector's Prometheus exporter adds back), gauges as gauges, histograms as
 * explicit-bucket histograms with the same bounds. Summaries are left out (Bulwark defines none).
 * A registry seen for the first time (ops rebuilt by a reload or a stats reset, counters from 0)
 * starts a new cumulative period.
 */
export class PrometheusProducer implements MetricProducer {
  private readonly startTimes = new WeakMap<object, HrTime>();

  constructor(
    private readonly registries: () => ReadonlyArray<Registry<RegistryContentType>>,
    private readonly sdk: SdkMetricsEnums,
    private readonly clock: { now(): number },
    /** The meter provider's resource (the reader keeps its own; this one fills the type). */
    private readonly resource: Resource,
    private readonly version?: string,
  ) {}

  async collect(): Promise<CollectionResult> {
    const now = toHrTime(this.clock.now());
    const metrics: MetricData[] = [];
    const errors: unknown[] = [];
    for (const registry of this.registries()) {
      let start = this.startTimes.get(registry);
      if (start === undefined) this.startTimes.set(registry, (start = now));
      let families: PromMetric[];
      try {
        families = (await registry.getMetricsAsJSON()) as unknown as PromMetric[];
      } catch (error) {
        errors.push(error);
        continue;
      }
      for (const family of families) {
        const data = this.convert(family, start, now);
        if (data !== undefined) metrics.push(data);
      }
    }
    const scope: ScopeMetrics = { scope: { name: METER_NAME, version: this.version }, metrics };
    return { resourceMetrics: { resource: this.resource, scopeMetrics: [scope] }, errors };
  }

  private convert(family: PromMetric, startTime: HrTime, endTime: HrTime): MetricData | undefined {
    const { DataPointType, AggregationTemporality } = this.sdk;
    const unit = /_seconds(_total)?$/.test(family.name) ? 's' : '';
    const point = <T>(attributes: Attributes, value: T): DataPoint<T> => ({ startTime, endTime, attributes, value });
    if (family.type === 'counter') {
      return {
        descriptor: { name: family.name.replace(/_total$/, ''), description: family.help, unit, valueType: ValueType.DOUBLE },
        aggregationTemporality: AggregationTemporality.CUMULATIVE, dataPointType: DataPointType.SUM, isMonotonic: true,
        dataPoints: family.values.map((v) => point(attributesOf(v.labels), v.value)),
      } as MetricData;
    }
    if (family.type === 'gauge') {
      return {
        descriptor: { name: family.name, description: family.help, unit, valueType: ValueType.DOUBLE },
        aggregationTemporality: AggregationTemporality.CUMULATIVE, dataPointType: DataPointType.GAUGE,
        dataPoints: family.values.map((v) => point(attributesOf(v.labels), v.value)),
      } as MetricData;
    }
    if (family.type !== 'histogram') return undefined;
    const points = new Map<string, HistogramPoint>();
    for (const v of family.values) {
      const attributes = attributesOf(v.labels, 'le');
      const key = keyOf(attributes);
      let p = points.get(key);
      if (p === undefined) points.set(key, (p = { attributes, bounds: [], infCount: 0, sum: 0, count: 0 }));
      if (v.metricName === `${family.name}_bucket`) {
        const le = v.labels.le;
        if (le === '+Inf') p.infCount = v.value;
        else p.bounds.push([Number(le), v.value]);
      } else if (v.metricName === `${family.name}_sum`) p.sum = v.value;
      else if (v.metricName === `${family.name}_count`) p.count = v.value;
    }
    return {
      descriptor: { name: family.name, description: family.help, unit, valueType: ValueType.DOUBLE },
      aggregationTemporality: AggregationTemporality.CUMULATIVE, dataPointType: DataPointType.HISTOGRAM,
      dataPoints: [...points.values()].map((p) => {
        p.bounds.sort((a, b) => a[0] - b[0]);
        // Prometheus buckets are cumulative (≤ le); OpenTelemetry's count each bucket on its own.
        const counts: number[] = [];
        let below = 0;
        for (const [, cumulative] of p.bounds) {
          counts.push(cumulative - below);
          below = cumulative;
        }
        counts.push(Math.max(p.infCount, p.count) - below);
        return point(p.attributes, { buckets: { boundaries: p.bounds.map(([le]) => le), counts }, sum: p.sum, count: p.count });
      }),
    } as MetricData;
  }
}
