/**
 * Example 04 — failure and recovery of a primary model, end to end on REAL time (~9 s).
 *
 *   node --import tsx examples/04-failure-recovery.ts      (or: npm run example:04)
 *
 * A mock provider (real HTTP on a loopback port) serves two deployments: `primary` (gpt-4o) and
 * `secondary` (gpt-4o-mini). The router's route `gpt-4` chains primary → secondary → default
 * answer, with the course's breaker (opens after 5 consecutive failures) but a 2.5 s open
 * period instead of 60 s so the demo is short. One request every 250 ms:
 *
 *   t≈1.0 s  the primary goes down (every call 503)  → retries fail, the secondary answers
 *            after 5 failures the breaker opens        → the secondary answers at once
 *   open period ends while still down                 → half-open probe fails, open again
 *   t≈5.0 s  the primary comes back
 *   open period ends                                  → half-open probe succeeds → closed
 *                                                       → the primary answers again
 *
 * Every request and every breaker transition is printed with its time since start. Exit code 0
 * when the breaker went closed → open → half-open → closed and the primary served at the end.
 */
import { startMockProvider } from '../src/chaos/mock/index.js';
import { createRouter } from '../src/llm/router/index.js';
import type { RouterConfig } from '../src/llm/router-config.js';

const OPEN_MS = 2_500; // default 60 000; shortened for the demo
const DOWN_AT_MS = 1_000;
const UP_AT_MS = 5_000;
const RUN_MS = 9_000;
const EVERY_MS = 250;

const start = Date.now();
const at = () => `t=${((Date.now() - start) / 1000).toFixed(2).padStart(5)} s`;

const mock = await startMockProvider({ profile: { default: { latency: { kind: 'fixed', ms: 20 } } } });
const config: RouterConfig = {
  providers: {
    primary: { type: 'openai', baseUrl: `${mock.deploymentUrl('primary')}/v1`, apiKey: 'sk-demo-primary' },
    secondary: { type: 'openai', baseUrl: `${mock.deploymentUrl('secondary')}/v1`, apiKey: 'sk-demo-secondary' },
  },
  modelGroups: {
    gpt4: { deployments: [{ id: 'primary', provider: 'primary', model: 'gpt-4o' }] },
    gpt35: { deployments: [{ id: 'secondary', provider: 'secondary', model: 'gpt-4o-mini' }] },
  },
  routes: [{ name: 'gpt-4', chain: ['gpt4', 'gpt35'], defaultResponse: 'Busy, try again soon.' }],
  policies: { breaker: { failureThreshold: 5, openMs: OPEN_MS }, retry: { maxAttempts: 2, baseDelayMs: 20, maxDelayMs: 20 } },
};
const router = createRouter(config);

const transitions: string[] = [];
router.onBreaker((e) => {
  transitions.push(e.to);
  const note = e.to === 'open' ? ` — no traffic to ${e.deployment} for ${OPEN_MS / 1000} s` : e.to === 'half-open' ? ' — one probe request may go through' : '';
  console.log(`${at()}  BREAKER ${e.deployment}: ${e.from} → ${e.to} (${e.reason})${note}`);
});

const downTimer = setTimeout(() => {
  mock.patchProfile({ deployments: { primary: { errors: { '503': 1 } } } });
  console.log(`${at()}  MOCK    primary is DOWN (every call answers 503)`);
}, DOWN_AT_MS);
const upTimer = setTimeout(() => {
  mock.patchProfile({ deployments: { primary: null } });
  console.log(`${at()}  MOCK    primary is BACK`);
}, UP_AT_MS);

let lastServedBy = '';
const pending: Array<Promise<void>> = [];
for (let i = 1; Date.now() - start < RUN_MS; i++) {
  const n = i;
  pending.push(router.chat({ model: 'gpt-4', messages: [{ role: 'user', content: `question ${n}` }] }).then(
    ({ served }) => {
      lastServedBy = served.servedBy;
      const how = served.fallbackDepth > 0 ? `fallback depth ${served.fallbackDepth}` : 'first step';
      console.log(`${at()}  req ${String(n).padStart(2)} → ${served.servedBy.padEnd(9)} (${how}, ${served.attempts} upstream attempt${served.attempts === 1 ? '' : 's'}${served.degraded ? ', degraded' : ''})`);
    },
    (error: Error) => console.log(`${at()}  req ${String(n).padStart(2)} → ERROR ${error.message}`),
  ));
  await new Promise((resolve) => setTimeout(resolve, EVERY_MS));
}
await Promise.all(pending);
clearTimeout(downTimer);
clearTimeout(upTimer);
await router.close();
await mock.close();

const sequence = transitions.join(' → ');
const recovered = transitions[0] === 'open' && transitions.includes('half-open') && transitions.at(-1) === 'closed' && lastServedBy === 'primary';
console.log(`\nbreaker transitions: closed → ${sequence}`);
console.log(recovered
  ? 'recovered: the primary failed, the secondary carried the traffic, a half-open probe closed the breaker, the primary serves again.'
  : 'did NOT recover as expected (see the timeline above).');
process.exitCode = recovered ? 0 : 1;
