import { InvalidOptionsError } from '../../core/errors.js';

/**
 * Pass/fail thresholds in k6's syntax: a metric name and expressions such as `p(95)<500`,
 * `avg<=200`, `rate<0.01`, `count>100`. Durations are in milliseconds.
 *
 * @example parseThreshold('http_req_duration', 'p(95)<500')
 */
export interface Threshold {
  metric: string;
  /** `avg`, `min`, `max`, `med`, `p(N)`, `rate` or `count`. */
  aggregation: string;
  operator: '<' | '<=' | '>' | '>=' | '==' | '!=';
  value: number;
  /** The text as written, for reports. */
  source: string;
}

/** The metrics a load run exposes to thresholds and how each may be aggregated. */
export const THRESHOLD_METRICS: Record<string, readonly string[]> = {
  http_req_duration: ['avg', 'min', 'max', 'med', 'p'],
  time_to_first_token: ['avg', 'min', 'max', 'med', 'p'],
  http_req_failed: ['rate', 'count'],
  http_reqs: ['rate', 'count'],
  degraded: ['rate', 'count'],
};

const EXPRESSION = /^\s*(avg|min|max|med|rate|count|p\((\d+(?:\.\d+)?)\))\s*(<=|>=|==|!=|<|>)\s*(-?\d+(?:\.\d+)?)\s*$/;

/** Parses one k6-style expression for `metric`; throws InvalidOptionsError naming the metric and the text. */
export function parseThreshold(metric: string, expression: string): Threshold {
  const allowed = THRESHOLD_METRICS[metric];
  if (!allowed) {
    throw new InvalidOptionsError(`threshold: unknown metric '${metric}' (known: ${Object.keys(THRESHOLD_METRICS).join(', ')})`);
  }
  const match = EXPRESSION.exec(expression);
  if (!match) {
    throw new InvalidOptionsError(`threshold ${metric}: cannot read '${expression}' (examples: p(95)<500, avg<200, rate<0.01)`);
  }
  if (match[2] !== undefined && !(Number(match[2]) > 0 && Number(match[2]) <= 100)) {
    throw new InvalidOptionsError(`threshold ${metric}: p(${match[2]}): the percentile must be above 0 and at most 100`);
  }
  const aggregation = match[2] !== undefined ? `p(${match[2]})` : match[1];
  const kind = match[2] !== undefined ? 'p' : match[1];
  if (!allowed.includes(kind)) {
    throw new InvalidOptionsError(`threshold ${metric}: '${kind}' does not apply (use ${allowed.join(', ')})`);
  }
  return { metric, aggregation, operator: match[3] as Threshold['operator'], value: Number(match[4]), source: `${metric}: ${expression.trim()}` };
}

/** Parses the CLI form `metric=expr` (also `metric: expr`). */
export function parseThresholdArgument(argument: string): Threshold {
  const index = argument.search(/[=:]/);
  if (index <= 0) throw new InvalidOptionsError(`threshold: expected 'metric=expression', got '${argument}'`);
  return parseThreshold(argument.slice(0, index).trim(), argument.slice(index + 1));
}

/** Compares an observed value against a threshold. */
export function holds(threshold: Threshold, observed: number): boolean {
  switch (threshold.operator) {
    case '<': return observed < threshold.value;
    case '<=': return observed <= threshold.value;
    case '>': return observed > threshold.value;
    case '>=': return observed >= threshold.value;
    case '==': return observed === threshold.value;
    case '!=': return observed !== threshold.value;
  }
}
