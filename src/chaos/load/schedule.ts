import { InvalidOptionsError } from '../../core/errors.js';

/** One stage of a ramping arrival rate: move linearly to `target` req/s over `durationMs`. */
export interface RampStage {
  durationMs: number;
  target: number;
}

/**
 * Intended send times for an open model, in ms from the start. A constant rate `r` gives
 * `i * 1000 / r`; ramping stages integrate the linearly changing rate exactly (solving the
 * quadratic for each arrival), as k6's ramping-arrival-rate executor does.
 */
export function* arrivalTimes(startRate: number, stages: readonly RampStage[], limit = Number.POSITIVE_INFINITY): Generator<number> {
  if (!(startRate >= 0)) throw new InvalidOptionsError(`rate: expected >= 0, got ${startRate}`);
  let emitted = 0;
  let stageStart = 0;
  let rate = startRate;
  // Arrivals are numbered 1..n: arrival k happens when the cumulative count N(t) reaches k - 1
  // (so the first request goes at t = 0).
  let cumulativeAtStageStart = 0;
  for (const stage of stages) {
    if (!(stage.durationMs > 0) || !(stage.target >= 0)) {
      throw new InvalidOptionsError(`stages: each stage needs durationMs > 0 and target >= 0, got ${JSON.stringify(stage)}`);
    }
    const seconds = stage.durationMs / 1000;
    const slope = (stage.target - rate) / seconds; // req/s per s
    const stageCount = rate * seconds + (slope * seconds * seconds) / 2;
    while (emitted < limit && emitted <= cumulativeAtStageStart + stageCount - 1e-9) {
      const need = emitted - cumulativeAtStageStart; // arrivals still needed inside this stage
      let t: number;
      if (Math.abs(slope) < 1e-12) t = rate > 0 ? need / rate : 0;
      else t = (-rate + Math.sqrt(Math.max(0, rate * rate + 2 * slope * need))) / slope;
      yield stageStart + t * 1000;
      emitted++;
    }
    cumulativeAtStageStart += stageCount;
    stageStart += stage.durationMs;
    rate = stage.target;
  }
}

/** Parses `--stages "10s:50,30s:200,10s:0"` (duration:target rate). */
export function parseStages(text: string, parseDuration: (value: string, field: string) => number): RampStage[] {
  return text.split(',').map((part, index) => {
    const [duration, target] = part.split(':');
    if (duration === undefined || target === undefined || !/^\d+(\.\d+)?$/.test(target.trim())) {
      throw new InvalidOptionsError(`stages[${index}]: expected 'duration:rate' such as '30s:100', got '${part}'`);
    }
    return { durationMs: parseDuration(duration.trim(), `stages[${index}].duration`), target: Number(target) };
  });
}
