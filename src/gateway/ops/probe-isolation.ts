import type { RouterControl } from '../../llm/router/router-control.js';
import type { ProbeResult } from '../../ops/prober.js';

/** Consecutive failed active probes after which a deployment is taken out of rotation. */
export const DEFAULT_PROBE_FAILURES_TO_ISOLATE = 2;

/** What happened to a deployment because of probes (for the timeline and the log). */
export interface IsolationChange {
  deployment: string;
  isolated: boolean;
  /** Error kind of the failing probe (isolations only). */
  errorKind?: string;
  at: number;
}

/**
 * Turns active-probe results into routing: after {@link DEFAULT_PROBE_FAILURES_TO_ISOLATE}
 * consecutive failures a deployment whose breaker is closed or half-open is isolated through the
 * router's `forceOpen`; its first passing probe releases it. Only isolations made here are ever
 * released here: a breaker an operator holds (isolated, forced closed) or one that traffic opened
 * is left alone, and an admin action on a deployment hands it back to the operator.
 */
export class ProbeIsolation {
  private readonly failures = new Map<string, number>();
  private readonly isolated = new Set<string>();

  constructor(
    private readonly control: () => RouterControl,
    private readonly onChange: (change: IsolationChange) => void,
    private readonly failuresToIsolate = DEFAULT_PROBE_FAILURES_TO_ISOLATE,
  ) {}

  /** Deployments isolated by probes now. */
  get isolatedIds(): ReadonlySet<string> {
    return this.isolated;
  }

  readonly onResult = (result: ProbeResult): void => {
    const id = result.deployment;
    if (result.ok) {
      this.failures.delete(id);
      if (!this.isolated.delete(id)) return;
      if (this.known(id)) this.control().release(id);
      this.onChange({ deployment: id, isolated: false, at: result.at });
      return;
    }
    const failures = (this.failures.get(id) ?? 0) + 1;
    this.failures.set(id, failures);
    if (failures < this.failuresToIsolate || this.isolated.has(id)) return;
    const control = this.control();
    const view = control.inspect().routes.flatMap((r) => r.chain.flatMap((g) => g.deployments)).find((d) => d.id === id);
    if (!view || (view.breaker !== 'closed' && view.breaker !== 'half-open')) return;
    control.forceOpen(id);
    this.isolated.add(id);
    this.onChange({ deployment: id, isolated: true, errorKind: result.errorKind, at: result.at });
  };

  /** An operator acted on `id`: whatever holds it has now is theirs. */
  operatorTookOver(id: string): void {
    this.isolated.delete(id);
    this.failures.delete(id);
  }

  /** A new router was installed: it starts without holds. */
  reset(): void {
    this.isolated.clear();
    this.failures.clear();
  }

  private known(id: string): boolean {
    return this.control().deploymentIds().includes(id);
  }
}
