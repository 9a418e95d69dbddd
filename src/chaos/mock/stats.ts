/**
 * Request counters of the mock provider, so tests can assert how many upstream calls were made
 * and how they ended (e.g. "a 401 is not retried", "coalescing made one call").
 */

/** How the requests to one model or deployment ended. */
export interface MockTargetStats {
  requests: number;
  /** Keyed by HTTP status (`"200"`, `"429"`…) or `"hang"` / `"reset"` for answers never sent. */
  byStatus: Record<string, number>;
}

/** A snapshot of the counters (a plain copy: later requests do not change it). */
export interface MockStats {
  /** API requests received (`/_mock/*` control calls are not counted). */
  requests: number;
  /** Requests whose response has not finished (including hanging ones). */
  inFlight: number;
  byStatus: Record<string, number>;
  /** Keyed by `chat.completions`, `messages`, `models`. */
  byEndpoint: Record<string, number>;
  /** Keyed by the request's `model`. */
  byModel: Record<string, MockTargetStats>;
  /** Keyed by the path deployment (`/deployments/<name>/…`). */
  byDeployment: Record<string, MockTargetStats>;
  /** Injected faults by kind: `429`, `500`, `503`, `529`, `hang`, `reset`, `malformed`, `streamCut`, `contextLength`, `auth`, `rateLimit`, `latency`. */
  faults: Record<string, number>;
}

type Counts = Record<string, number>;

function bump(counts: Counts, key: string): void {
  counts[key] = (counts[key] ?? 0) + 1;
}

function emptyTarget(): MockTargetStats {
  return { requests: 0, byStatus: {} };
}

/** Mutable counters; {@link snapshot} copies them out. */
export class MockStatsRecorder {
  private requests = 0;
  inFlight = 0;
  private byStatus: Counts = {};
  private byEndpoint: Counts = {};
  private byModel = new Map<string, MockTargetStats>();
  private byDeployment = new Map<string, MockTargetStats>();
  private faults: Counts = {};

  /** Counts one finished (or abandoned) request. `model` is '' when the body had none. */
  record(endpoint: string, model: string, deployment: string | undefined, outcome: string): void {
    this.requests++;
    bump(this.byStatus, outcome);
    bump(this.byEndpoint, endpoint);
    if (model !== '') this.recordTarget(this.byModel, model, outcome);
    if (deployment !== undefined) this.recordTarget(this.byDeployment, deployment, outcome);
  }

  /** Counts one injected fault. */
  fault(kind: string): void {
    bump(this.faults, kind);
  }

  private recordTarget(map: Map<string, MockTargetStats>, key: string, outcome: string): void {
    let target = map.get(key);
    if (!target) map.set(key, (target = emptyTarget()));
    target.requests++;
    bump(target.byStatus, outcome);
  }

  snapshot(): MockStats {
    const copyMap = (map: Map<string, MockTargetStats>) =>
      Object.fromEntries([...map].map(([key, t]) => [key, { requests: t.requests, byStatus: { ...t.byStatus } }]));
    return {
      requests: this.requests,
      inFlight: this.inFlight,
      byStatus: { ...this.byStatus },
      byEndpoint: { ...this.byEndpoint },
      byModel: copyMap(this.byModel),
      byDeployment: copyMap(this.byDeployment),
      faults: { ...this.faults },
    };
  }

  /** Zeroes every counter except `inFlight` (those requests are still running). */
  reset(): void {
    this.requests = 0;
    this.byStatus = {};
    this.byEndpoint = {};
    this.byModel.clear();
    this.byDeployment.clear();
    this.faults = {};
  }
}
