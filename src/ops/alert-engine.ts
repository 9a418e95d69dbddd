import type { Clock, TimerHandle } from '../core/clock.js';
import { EventEmitter } from '../core/events.js';
import type { Event } from '../core/events.js';
import type { AlertLedger } from '../state/alerts/alert-ledger.js';
import type { ActiveAlert, AlertCondition, AlertNotification, AlertRule } from './alert-types.js';
import type { DeliveryQueue } from './delivery-queue.js';

export interface AlertEngineOptions {
  evaluateEveryMs: number;
  repeatIntervalMs: number;
  timelineSize: number;
}

/** Cluster-wide notification dedupe: the shared ledger and this replica's id in it. */
export interface SharedAlerting {
  ledger: AlertLedger;
  replica: string;
}

/** A replica that saw an alert at its last evaluations keeps holding it this many evaluation periods… */
export const ALERT_HOLD_EVALUATIONS = 3;
/** …plus this margin (a slow tick must not let go of an incident it still sees). */
export const ALERT_HOLD_MARGIN_MS = 5_000;

interface Tracked {
  rule: AlertRule['name'];
  condition: AlertCondition;
  startsAt: number;
  lastSentAt: number;
  /** Evaluation round in which the condition last held. */
  seenIn: number;
}

/**
 * Evaluates the rules on a tick of the injected clock and turns their conditions into
 * notifications: `firing` once when a condition appears, a `repeat` at most every
 * `repeatIntervalMs` while it holds, `resolved` once when it clears. Notifications go to every
 * sink's bounded queue and to a bounded timeline (oldest overwritten) for the dashboard.
 *
 * With {@link SharedAlerting} (the gateway passes its shared state's ledger) the sinks hear of an
 * incident once for the whole cluster: the first replica to see it sends `firing`, one replica
 * per interval the repeat, the last one to stop seeing it `resolved`. The timeline and
 * `active()` stay this replica's own view.
 *
 * @example const engine = new AlertEngine(rules, queues, clock, opts); engine.start();
 */
export class AlertEngine {
  private readonly tracked = new Map<string, Tracked>();
  private round = 0;
  private readonly ring: Array<AlertNotification | undefined>;
  private ringHead = 0;
  private ringSize = 0;
  private timer: TimerHandle | undefined;
  private running = false;
  private readonly emitter = new EventEmitter<AlertNotification>();
  /** Runs before each evaluation (ops drains its pending events here). */
  beforeEvaluate: () => void = () => {};
  /** Every notification as it is produced (dashboard live feed). */
  readonly onNotification: Event<AlertNotification> = this.emitter.event;

  constructor(
    private readonly rules: readonly AlertRule[],
    private readonly queues: readonly DeliveryQueue[],
    private readonly clock: Clock,
    private readonly options: AlertEngineOptions,
    private readonly onActiveChange: (active: readonly ActiveAlert[]) => void = () => {},
    private readonly shared?: SharedAlerting,
  ) {
    this.ring = new Array(options.timelineSize);
    this.holdMs = options.evaluateEveryMs * ALERT_HOLD_EVALUATIONS + ALERT_HOLD_MARGIN_MS;
  }

  private readonly holdMs: number;
  /** Ledger decisions not settled yet (awaited by {@link flush}). */
  private readonly deciding = new Set<Promise<void>>();

  /** Starts the evaluation tick (timers are unref'd by the system clock). */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule();
  }

  stop(): void {
    this.running = false;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Runs every rule now; returns the notifications produced (also queued to the sinks). */
  evaluate(): AlertNotification[] {
    this.beforeEvaluate();
    const now = this.clock.now();
    const round = ++this.round;
    const produced: AlertNotification[] = [];
    for (const rule of this.rules) {
      let conditions: AlertCondition[];
      try {
        conditions = rule.evaluate(now);
      } catch {
        continue; // a broken rule must not silence the others
      }
      for (const condition of conditions) {
        const id = `${rule.name}:${condition.subject}`;
        const known = this.tracked.get(id);
        if (!known) {
          const t: Tracked = { rule: rule.name, condition, startsAt: now, lastSentAt: now, seenIn: round };
          this.tracked.set(id, t);
          produced.push(this.notification(id, t, 'firing', false, now));
        } else {
          known.condition = condition;
          known.seenIn = round;
          if (now - known.lastSentAt >= this.options.repeatIntervalMs) {
            known.lastSentAt = now;
            produced.push(this.notification(id, known, 'firing', true, now));
          } else if (this.shared) {
            this.decide(this.shared.ledger.hold(id, this.shared.replica, this.holdMs).then(() => false), undefined);
          }
        }
      }
    }
    for (const [id, t] of this.tracked) {
      if (t.seenIn === round) continue;
      this.tracked.delete(id);
      produced.push(this.notification(id, t, 'resolved', false, now));
    }
    this.publish(produced);
    return produced;
  }

  /**
   * Resolves every active alert now (a stats reset or a rebuilt ops forgets what they were
   * based on): `resolved` goes to the sinks — once for the cluster, by the last holder — and the
   * timeline. Returns those notifications.
   */
  resolveAll(): AlertNotification[] {
    const now = this.clock.now();
    const produced: AlertNotification[] = [];
    for (const [id, t] of this.tracked) produced.push(this.notification(id, t, 'resolved', false, now));
    this.tracked.clear();
    this.publish(produced);
    return produced;
  }

  private publish(produced: AlertNotification[]): void {
    for (const n of produced) {
      this.remember(n);
      this.deliver(n);
      this.emitter.emit(n);
    }
    if (produced.length > 0) this.onActiveChange(this.active());
  }

  /** To every sink's queue: at once alone, or when the cluster's ledger says this replica sends it. */
  private deliver(n: AlertNotification): void {
    const shared = this.shared;
    if (!shared) {
      for (const queue of this.queues) queue.push(n);
      return;
    }
    const decision = n.state === 'resolved' ? shared.ledger.resolve(n.id, shared.replica)
      : n.repeat ? shared.ledger.repeat(n.id, this.options.repeatIntervalMs)
      : shared.ledger.fire(n.id, shared.replica, this.holdMs);
    this.decide(decision, n);
  }

  private decide(decision: Promise<boolean>, n: AlertNotification | undefined): void {
    const settled = decision.then((send) => {
      if (send && n) for (const queue of this.queues) queue.push(n);
    }, () => {
      if (n) for (const queue of this.queues) queue.push(n); // the ledger never rejects; if it did, a duplicate beats a loss
    }).finally(() => this.deciding.delete(settled));
    this.deciding.add(settled);
  }

  /** Alerts active now, oldest first. */
  active(): ActiveAlert[] {
    return [...this.tracked].map(([id, t]) => ({
      id,
      rule: t.rule,
      subject: t.condition.subject,
      severity: t.condition.severity,
      summary: t.condition.summary,
      value: t.condition.value,
      threshold: t.condition.threshold,
      labels: t.condition.labels,
      startsAt: new Date(t.startsAt).toISOString(),
      lastSentAt: new Date(t.lastSentAt).toISOString(),
    }));
  }

  /** Recent notifications, oldest first (bounded by `timelineSize`). */
  timeline(): AlertNotification[] {
    const out: AlertNotification[] = [];
    const size = this.ring.length;
    for (let i = this.ringSize; i > 0; i--) out.push(this.ring[(this.ringHead - i + size) % size]!);
    return out;
  }

  /** Waits for every sink queue to drain (tests, graceful shutdown). */
  async flush(): Promise<void> {
    while (this.deciding.size > 0) await Promise.all([...this.deciding]);
    await Promise.all(this.queues.map((q) => q.idle()));
  }

  private schedule(): void {
    this.timer = this.clock.setTimeout(() => {
      if (!this.running) return;
      this.evaluate();
      this.schedule();
    }, this.options.evaluateEveryMs);
  }

  private notification(id: string, t: Tracked, state: 'firing' | 'resolved', repeat: boolean, now: number): AlertNotification {
    const c = t.condition;
    const n: AlertNotification = {
      id, rule: t.rule, subject: c.subject, severity: c.severity, state, repeat,
      summary: state === 'resolved' ? `${t.rule} on ${c.subject} resolved (last: ${c.summary})` : c.summary,
      value: c.value, threshold: c.threshold, labels: c.labels,
      startsAt: new Date(t.startsAt).toISOString(), at: new Date(now).toISOString(),
    };
    if (state === 'resolved') n.endsAt = n.at;
    return n;
  }

  private remember(n: AlertNotification): void {
    this.ring[this.ringHead] = n;
    this.ringHead = (this.ringHead + 1) % this.ring.length;
    if (this.ringSize < this.ring.length) this.ringSize++;
  }
}
