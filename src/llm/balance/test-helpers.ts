import type { FakeClock } from '../../core/fake-clock.js';
import type { CallOutcome, GroupBalancer } from './balancer.js';
import type { DeploymentConfig, ModelGroupConfig } from '../router-config.js';

/** Test helper: a group from short deployment specs (provider/model filled in). */
export function group(
  deployments: Array<Partial<DeploymentConfig> & { id: string }>,
  extra: Omit<ModelGroupConfig, 'deployments'> = {},
): ModelGroupConfig {
  return { ...extra, deployments: deployments.map((d) => ({ provider: 'mock', model: 'm', ...d })) };
}

/** Counts how often each id appears. */
export function tally(ids: Array<string | undefined>): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const id of ids) counts[String(id)] = (counts[String(id)] ?? 0) + 1;
  return counts;
}

export const ok = (latencyMs: number, tokens?: number) => ({ ok: true, latencyMs, tokens, countsAsFailure: false });
export const failure = (latencyMs = 10) => ({ ok: false, latencyMs, countsAsFailure: true });
export const neutral = (latencyMs = 10) => ({ ok: false, latencyMs, countsAsFailure: false });

interface Pending {
  at: number;
  done: (outcome: CallOutcome) => void;
  latencyMs: number;
}

/**
 * Open-loop simulation on a fake clock: one request every `intervalMs`, each taking its
 * deployment's latency. Completions are delivered in time order before each arrival; calls
 * still in flight carry over to the next `run`.
 */
export class Simulation {
  private readonly pending: Pending[] = [];
  private next: number;

  constructor(private readonly balancer: GroupBalancer, private readonly clock: FakeClock, private readonly intervalMs: number, private readonly latencyOf: (id: string, now: number) => number) {
    this.next = clock.now();
  }

  run(requests: number): string[] {
    const picks: string[] = [];
    for (let i = 0; i < requests; i++) {
      const arrival = this.next;
      this.next += this.intervalMs;
      this.pending.sort((x, y) => x.at - y.at);
      while (this.pending.length > 0 && this.pending[0].at <= arrival) {
        const call = this.pending.shift()!;
        this.clock.setTime(call.at);
        call.done(ok(call.latencyMs));
      }
      this.clock.setTime(arrival);
      const id = this.balancer.pick()!;
      picks.push(id);
      const latencyMs = this.latencyOf(id, arrival);
      this.pending.push({ at: arrival + latencyMs, done: this.balancer.start(id), latencyMs });
    }
    return picks;
  }
}

export const share = (picks: string[], id: string) => picks.filter((p) => p === id).length / picks.length;
