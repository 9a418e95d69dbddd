import type { Clock, TimerHandle } from '../../core/clock.js';
import type { ReplicaBoard } from '../../state/replica-board.js';
import { DEFAULT_HEARTBEAT_INTERVAL_MS } from '../../state/defaults.js';
import { parseReplicaReport, type ReplicaReport } from './replica-report.js';

/** One replica in the dashboard's cluster view. */
export interface ClusterReplica extends ReplicaReport {
  /** This is the replica serving the page. */
  self: boolean;
  /** ms since it published (by the reading replica's clock). */
  ageMs: number;
}

/** The whole cluster over the last minute, summed over the replicas shown. */
export interface ClusterTotals {
  replicas: number;
  requests: number;
  failed: number;
  errorRate: number | null;
  throughputRps: number;
  inFlight: number;
  meanMs: number | null;
  /** The worst replica's worst-route p99 (percentiles cannot be summed). */
  p99Ms: number | null;
  tokensPerSecond: number;
  /** Deployments whose breaker is not closed, or that are ejected or drained, on at least one replica: id → replicas per state. */
  breakers: Record<string, Record<string, number>>;
}

/** The `cluster` part of a dashboard snapshot (only when replicas share Redis). */
export interface ClusterSnapshot {
  self: string;
  /** When the board was last read; null before the first read. */
  readAt: number | null;
  /** The last read failed (Redis unreachable): the list is the last one read, or only this replica. */
  stale: boolean;
  replicas: ClusterReplica[];
  total: ClusterTotals;
}

/** Options of {@link ClusterView}. */
export interface ClusterViewOptions {
  /** Publish (and read, while a page is open) this often; default 2000 ms (the replicas' heartbeat). */
  intervalMs?: number;
  /** Called when a report cannot be built or published (the view keeps going). */
  onError?: (error: unknown) => void;
}

/**
 * The dashboard's per-replica view: every `intervalMs` this replica publishes its
 * {@link ReplicaReport} to the shared {@link ReplicaBoard}, and — only while one of its own pages
 * is open — reads every replica's report back. {@link snapshot} is synchronous (the last read),
 * so the dashboard's tick never waits for Redis.
 */
export class ClusterView {
  private readonly intervalMs: number;
  private replicas: ReplicaReport[] = [];
  private readAt: number | null = null;
  private stale = false;
  private timer: TimerHandle | undefined;
  private closed = false;

  constructor(
    private readonly board: ReplicaBoard,
    readonly self: string,
    /** This replica's report now. */
    private readonly report: () => ReplicaReport,
    /** True while a page of this replica's dashboard is open. */
    private readonly watched: () => boolean,
    private readonly clock: Clock,
    private readonly options: ClusterViewOptions = {},
  ) {
    this.intervalMs = options.intervalMs ?? DEFAULT_HEARTBEAT_INTERVAL_MS;
  }

  /** Publishes now, then every interval, until {@link close}. */
  start(): void {
    void this.refresh().finally(() => this.schedule());
  }

  /** One round: publish this replica's report; read the board when a page is open. Never rejects. */
  async refresh(): Promise<void> {
    let own: ReplicaReport;
    try {
      own = this.report();
      await this.board.publish(this.self, JSON.stringify(own));
    } catch (error) {
      this.options.onError?.(error);
      return;
    }
    if (!this.watched()) return;
    const entries = await this.board.read();
    this.readAt = this.clock.now();
    if (entries === undefined) {
      this.stale = true;
      this.replicas = [own, ...this.replicas.filter((r) => r.replica !== this.self)];
      return;
    }
    this.stale = false;
    const reports: ReplicaReport[] = [];
    for (const entry of entries) {
      const report = entry.replica === this.self ? own : parseReplicaReport(entry.report);
      if (report !== undefined && report.replica === entry.replica) reports.push(report);
    }
    if (!reports.some((r) => r.replica === this.self)) reports.unshift(own);
    this.replicas = reports;
  }

  /** What the page shows now: the replicas as last read (this one first, then by id) and their total. */
  snapshot(now: number): ClusterSnapshot {
    const replicas = this.replicas
      .map((r): ClusterReplica => ({ ...r, self: r.replica === this.self, ageMs: Math.max(0, now - r.at) }))
      .sort((a, b) => (a.self === b.self ? a.replica.localeCompare(b.replica) : a.self ? -1 : 1));
    return { self: this.self, readAt: this.readAt, stale: this.stale, replicas, total: totalsOf(replicas) };
  }

  close(): void {
    this.closed = true;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(): void {
    if (this.closed) return;
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      void this.refresh().finally(() => this.schedule());
    }, this.intervalMs);
  }
}

/** Sums the replicas' figures (means weighted by requests, p99 the worst). */
export function totalsOf(replicas: readonly ReplicaReport[]): ClusterTotals {
  const total: ClusterTotals = {
    replicas: replicas.length, requests: 0, failed: 0, errorRate: null, throughputRps: 0, inFlight: 0, meanMs: null, p99Ms: null, tokensPerSecond: 0, breakers: {},
  };
  let latencySum = 0;
  let latencyCount = 0;
  for (const r of replicas) {
    total.requests += r.requests;
    total.failed += r.failed;
    total.throughputRps += r.throughputRps;
    total.inFlight += r.inFlight;
    total.tokensPerSecond += r.tokensPerSecond;
    if (r.meanMs !== null && r.requests > 0) {
      latencySum += r.meanMs * r.requests;
      latencyCount += r.requests;
    }
    if (r.p99Ms !== null && (total.p99Ms === null || r.p99Ms > total.p99Ms)) total.p99Ms = r.p99Ms;
    for (const b of r.breakers) {
      const marks = [...(b.state === 'closed' ? [] : [b.state]), ...(b.ejected ? ['ejected'] : []), ...(b.drained ? ['drained'] : [])];
      if (marks.length === 0) continue;
      const states = (total.breakers[b.id] ??= {});
      for (const mark of marks) states[mark] = (states[mark] ?? 0) + 1;
    }
  }
  if (total.requests > 0) total.errorRate = total.failed / total.requests;
  if (latencyCount > 0) total.meanMs = latencySum / latencyCount;
  return total;
}
