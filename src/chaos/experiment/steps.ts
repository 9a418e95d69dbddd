/**
 * The method and rollback steps of a chaos experiment: fault actions on the mock provider, the
 * fault proxy, the gateway's admin API or any URL, probes, waits, and Chaos Monkey's
 * `replica.kill` (SIGKILL a random replica of the experiment's own replica set, then start it
 * again) and `replica.start`.
 */
import { request } from 'undici';
import { type Clock, sleep } from '../../core/clock.js';
import type { ReplicaKill, ReplicaSet } from '../balancer/replica-set.js';
import { runProbe } from './probe.js';
import type { ResolvedTarget, Step } from './schema.js';

/** What a step works with. */
export interface StepContext {
  readonly target: ResolvedTarget;
  readonly clock: Clock;
  /** The experiment's replicas, when it declares `replicas`. */
  readonly replicas?: ReplicaSet;
  /** ms since the experiment started. */
  elapsedMs(): number;
  /** Every `replica.kill` so far, for the report. */
  readonly kills: Array<ReplicaKill & { atMs: number }>;
}

/** How a step went. */
export interface StepOutcome {
  ok: boolean;
  detail?: string;
}

/** Runs a step; an unreachable target or any other exception is a failed step, not a crash. */
export async function runStepSafely(step: Step, context: StepContext, signal?: AbortSignal): Promise<StepOutcome> {
  try {
    return await runStep(step, context, signal);
  } catch (error) {
    return { ok: false, detail: (error as NodeJS.ErrnoException).code ?? (error as Error).message };
  }
}

async function runStep(step: Step, context: StepContext, signal?: AbortSignal): Promise<StepOutcome> {
  const { target, clock } = context;
  if ('wait' in step) {
    await sleep(clock, step.wait, signal).catch(() => undefined);
    return { ok: true };
  }
  const json = async (method: string, url: string, body?: unknown, headers: Record<string, string> = {}) => {
    const response = await request(url, { method: method as 'GET', headers: { 'content-type': 'application/json', ...headers }, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await response.body.text();
    return { ok: response.statusCode < 400, detail: `HTTP ${response.statusCode}${response.statusCode < 400 ? '' : `: ${text.slice(0, 200)}`}` };
  };
  switch (step.action) {
    case 'mock.profile':
      if (step.patch !== undefined) return json('PATCH', `${target.mock}/_mock/profile`, step.patch);
      return json('PUT', `${target.mock}/_mock/profile`, step.preset !== undefined ? { preset: step.preset } : step.profile);
    case 'mock.reset':
      return json('POST', `${target.mock}/_mock/reset`);
    case 'faults.add':
      return json('POST', `${target.faults}/toxics`, step.toxic);
    case 'faults.remove':
      return json('DELETE', `${target.faults}/toxics/${encodeURIComponent(step.name)}`);
    case 'faults.reset':
      return json('POST', `${target.faults}/reset`);
    case 'gateway.admin':
      return json(step.method, new URL(step.path, target.gateway).href, step.body, target.adminKey ? { authorization: `Bearer ${target.adminKey}` } : {});
    case 'http':
      return json(step.method, step.url, step.body, step.headers);
    case 'probe': {
      const result = await runProbe(step.probe, target, signal);
      return { ok: result.ok, detail: result.detail };
    }
    case 'replica.kill': {
      // The schema makes sure `replicas` is declared; the set exists for the whole run.
      const set = context.replicas!;
      const atMs = context.elapsedMs();
      const kill = await set.kill({ restart: step.restart, restartAfterMs: step.restartAfter });
      context.kills.push({ atMs, ...kill });
      const again = kill.newPid === undefined ? 'left down' : `started again as pid ${kill.newPid}, serving ${kill.downMs} ms after the kill`;
      return { ok: true, detail: `replica ${kill.index + 1} of ${set.ports.length} (pid ${kill.pid}, port ${kill.port}) SIGKILLed; ${again}` };
    }
    case 'replica.start': {
      const set = context.replicas!;
      const down = set.ports.map((_, index) => index).filter((index) => !set.running(index));
      for (const index of down) await set.start(index);
      return { ok: true, detail: down.length ? `started replica(s) ${down.map((i) => i + 1).join(', ')}` : 'every replica was running' };
    }
  }
}

/** The timeline's name of a step. */
export function describeStep(step: Step): string {
  if ('wait' in step) return `wait ${step.wait} ms`;
  switch (step.action) {
    case 'mock.profile': return `mock profile → ${step.preset ?? (step.patch !== undefined ? 'patch' : 'custom profile')}`;
    case 'faults.add': return `add toxic ${String(step.toxic.name ?? step.toxic.type)}`;
    case 'faults.remove': return `remove toxic ${step.name}`;
    case 'gateway.admin': return `gateway ${step.method} ${step.path}`;
    case 'http': return `${step.method} ${step.url}`;
    case 'probe': return `probe ${step.probe.name}`;
    case 'replica.kill': return step.restart ? `replica.kill (SIGKILL a random replica, restart after ${step.restartAfter} ms)` : 'replica.kill (SIGKILL a random replica, leave it down)';
    default: return step.action;
  }
}
