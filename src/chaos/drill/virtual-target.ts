/**
 * The drill target on virtual time: the in-process mock, the router and the load generator
 * share one FakeClock and seeded random sources, so a run is a pure function of its seed.
 * The gateway's HTTP layer is not in the loop; what it adds on top of the router (dialect
 * encoding, headers) is covered by the gateway's own tests and by the real-time drill.
 */
import { BulwarkError } from '../../core/errors.js';
import { FakeClock } from '../../core/fake-clock.js';
import { seededRandom } from '../../core/random.js';
import { createRouter } from '../../llm/router/create-router.js';
import type { RouterControl } from '../../llm/router/router-control.js';
import type { ChatRequest, Router } from '../../llm/types.js';
import { InProcessMock } from '../mock/in-process.js';
import type { MockFaultsInput } from '../mock/profile.js';
import type { DrillAnswer, DrillTarget } from './target.js';
import { drillPrompt, stepOf } from './target.js';
import { BASELINE_FAULTS, DRILL_ROUTE, drillRouterConfig, familyOfProvider, type DrillTimings, type TopologyOptions } from './topology.js';

export interface VirtualTargetOptions {
  /** Seeds the mock's draws and the router's jitter/balancing (two independent streams). */
  seed: number;
  timings: DrillTimings;
  topology?: TopologyOptions;
}

/** One router instance and the requests running on it (a "gateway process" on virtual time). */
interface Instance {
  router: Router & RouterControl;
  inFlight: number;
  retired: boolean;
  /** SIGKILLed: its requests in flight failed as a reset connection. */
  killed: boolean;
  /** One per request in flight: a kill aborts them all. */
  connections: Set<AbortController>;
}

/** Builds the virtual target. Its clock only moves when the caller advances it. */
export function createVirtualTarget(options: VirtualTargetOptions): DrillTarget & { readonly clock: FakeClock; readonly mock: InProcessMock } {
  const clock = new FakeClock();
  const mock = new InProcessMock({ clock, random: seededRandom(options.seed), profile: { default: BASELINE_FAULTS } });
  const routerRandom = seededRandom((options.seed ^ 0x5bd1e995) >>> 0);
  const config = drillRouterConfig(options.timings, (id) => `http://in-process.invalid/deployments/${id}`, options.topology);
  const breakerOpens: number[] = [];
  const closing: Array<Promise<void>> = [];

  const start = (): Instance => {
    const router = createRouter(config, { clock, random: routerRandom, providers: (name, provider) => mock.provider(name, familyOfProvider(provider)) });
    router.onBreaker((event) => {
      if (event.to === 'open') breakerOpens.push(event.at);
    });
    return { router, inFlight: 0, retired: false, killed: false, connections: new Set() };
  };
  let current = start();

  const release = (instance: Instance) => {
    instance.inFlight--;
    if (instance.retired && instance.inFlight === 0) closing.push(instance.router.close());
  };

  const ask = async (router: Router, index: number, stream: boolean, signal: AbortSignal): Promise<DrillAnswer> => {
    const request: ChatRequest = { model: DRILL_ROUTE, messages: [{ role: 'user', content: drillPrompt(index) }], maxTokens: 64 };
    if (!stream) {
      const { served } = await router.chat(request, { signal, requestId: `drill-${index}` });
      return { step: stepOf(served.servedBy, served.fallbackDepth), servedBy: served.servedBy, status: 200 };
    }
    const answer = await router.stream(request, { signal, requestId: `drill-${index}` });
    // What the gateway sends as x-bulwark-* headers: the served info when the first event arrived.
    const served = answer.served;
    let finished = false;
    for await (const event of answer) if (event.type === 'finish') finished = true;
    // A stream that ends without `finish` and without an error is exactly what "lost" means.
    if (!finished) return { step: 'lost', servedBy: served.servedBy, status: 200, error: 'stream_incomplete' };
    const last = answer.served.servedBy;
    return { step: stepOf(served.servedBy, served.fallbackDepth), servedBy: served.servedBy, status: 200, continuedBy: last !== served.servedBy ? last : undefined };
  };

  return {
    clock,
    mock,
    breakerOpens,
    async send(index, stream, signal) {
      for (;;) {
        const instance = current;
        instance.inFlight++;
        const connection = new AbortController();
        instance.connections.add(connection);
        try {
          return await ask(instance.router, index, stream, AbortSignal.any([signal, connection.signal]));
        } catch (error) {
          if (signal.aborted) return { step: 'lost', status: 0, error: 'timeout' };
          // Its replica was killed: the client saw a reset connection and sends again (to another replica).
          if (instance.killed) continue;
          if (error instanceof BulwarkError) return { step: 'error', status: error.status, error: error.code };
          // The gateway answers anything else with a 500: still a clear error, not a lost request.
          return { step: 'error', status: 500, error: (error as Error).name ?? 'error' };
        } finally {
          instance.connections.delete(connection);
          release(instance);
        }
      }
    },
    async killReplica() {
      // Another replica (a fresh router: this one's memory is gone) takes the traffic; what the
      // killed one was answering fails as a reset connection.
      const old = current;
      old.retired = true;
      old.killed = true;
      current = start();
      for (const connection of old.connections) connection.abort(new Error('ECONNRESET: the replica was killed'));
      if (old.inFlight === 0) closing.push(old.router.close());
    },
    async setFaults(deployments, faults: MockFaultsInput | null) {
      const patch: Record<string, MockFaultsInput | null> = {};
      for (const id of deployments) patch[id] = faults === null ? null : { ...BASELINE_FAULTS, ...faults };
      mock.patchProfile({ deployments: patch });
    },
    async restart() {
      // A restart loses what a process keeps in memory: breaker state and the response cache.
      const old = current;
      old.retired = true;
      current = start();
      if (old.inFlight === 0) closing.push(old.router.close());
    },
    async close() {
      current.retired = true;
      closing.push(current.router.close());
      await Promise.all(closing);
    },
  };
}
