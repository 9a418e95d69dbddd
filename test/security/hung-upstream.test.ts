import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Gateway } from '../../src/gateway/gateway.js';
import { ScriptedUpstream, answerNormally } from './scripted-upstream.js';
import { TENANT_A_KEY, breakerStates, post, startGatewayUnderTest } from './gateway-under-test.js';

/** Hangs every call to the upstream model `hungModel` (headers never sent); answers the others at once. */
function hangModel(upstream: ScriptedUpstream, hungModel: string): void {
  upstream.reply = (seen, res) => {
    if (seen.body.model === hungModel) return; // never answers: the socket stays open
    answerNormally(seen, res);
  };
}

async function timed(call: () => Promise<Response>): Promise<{ res: Response; ms: number }> {
  const start = performance.now();
  const res = await call();
  await res.arrayBuffer();
  return { res, ms: performance.now() - start };
}

// Defect 4 of issue 13: a hung upstream call is bounded by the attempt timeout, counts against
// its deployment's breaker (and trips it), and never holds up calls that are not hung.
describe('security: a hung upstream', () => {
  let upstream: ScriptedUpstream;
  let gateway: Gateway;

  beforeAll(async () => {
    upstream = await ScriptedUpstream.start();
  });
  afterEach(async () => {
    await gateway?.shutdown(200);
  });
  afterAll(() => upstream.close());

  it('times out each attempt, trips the primary\'s breaker after the threshold, then costs nothing', async () => {
    hangModel(upstream, 'gpt-4o');
    ({ gateway } = await startGatewayUnderTest(upstream.url, '', 3, 'attemptTimeoutMs: 300ms'));
    for (let i = 0; i < 3; i++) {
      const { res, ms } = await timed(() => post(gateway, '/v1/chat/completions', TENANT_A_KEY, { model: 'gpt-4', messages: [{ role: 'user', content: `hang ${i}` }] }));
      expect(res.status).toBe(200);
      expect(res.headers.get('x-bulwark-served-by')).toBe('secondary-gpt');
      expect(ms).toBeLessThan(3_000); // bounded by the 300 ms attempt timeout (generous for a loaded machine)
    }
    expect((await breakerStates(gateway))['primary-gpt']).toBe('open');
    const hungCalls = upstream.seen.filter((s) => s.body.model === 'gpt-4o').length;
    const { res } = await timed(() => post(gateway, '/v1/chat/completions', TENANT_A_KEY, { model: 'gpt-4', messages: [{ role: 'user', content: 'after' }] }));
    expect(res.headers.get('x-bulwark-served-by')).toBe('secondary-gpt');
    expect(upstream.seen.filter((s) => s.body.model === 'gpt-4o').length).toBe(hungCalls); // the open breaker skips it
  });

  it('a hedged group: the hung deployment\'s lost races count against it, so its breaker opens', async () => {
    hangModel(upstream, 'gpt-4o');
    const groups = 'hedge: { delayMs: 100ms, maxHedges: 1 }';
    ({ gateway } = await startGatewayUnderTest(upstream.url, '', 3, `attemptTimeoutMs: 5s\n  ${groups}`, true));
    const before = upstream.seen.filter((s) => s.body.model === 'gpt-4o').length;
    const hung = () => upstream.seen.filter((s) => s.body.model === 'gpt-4o').length - before;
    // Round-robin picks the hung deployment every other time; each time a hedge answers for it.
    for (let i = 0; i < 40 && hung() < 3; i++) {
      const { res, ms } = await timed(() => post(gateway, '/v1/chat/completions', TENANT_A_KEY, { model: 'gpt-4', messages: [{ role: 'user', content: `hedge ${i}` }] }));
      expect(res.status).toBe(200);
      expect(ms).toBeLessThan(3_000); // never the 5 s attempt timeout: the hedge answers
    }
    expect(hung()).toBe(3);
    // The last loser settles just after its request was answered.
    await vi.waitFor(async () => expect((await breakerStates(gateway))['primary-gpt']).toBe('open'), { timeout: 2_000 });
  });

  it('streams too: a stream that never sends its first token times out and counts', async () => {
    hangModel(upstream, 'gpt-4o');
    ({ gateway } = await startGatewayUnderTest(upstream.url, '', 2, 'firstTokenTimeoutMs: 300ms'));
    for (let i = 0; i < 2; i++) {
      const { res } = await timed(() => post(gateway, '/v1/chat/completions', TENANT_A_KEY, { model: 'gpt-4', stream: true, messages: [{ role: 'user', content: `s${i}` }] }));
      expect(res.status).toBe(200);
      expect(res.headers.get('x-bulwark-served-by')).toBe('secondary-gpt');
    }
    expect((await breakerStates(gateway))['primary-gpt']).toBe('open');
  });
});
