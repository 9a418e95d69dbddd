import { afterEach, describe, expect, it } from 'vitest';
import { LlmError, StreamInterruptedError } from '../errors.js';
import type { RequestEvent } from '../router-events.js';
import type { ChatStream, StreamEvent } from '../types.js';
import { ask, startFixture, until, type Fixture } from './router.fixture.js';
import { startScriptedUpstream, type ScriptedUpstream } from './stream/scripted-upstream.fixture.js';

const FULL = 'The quick brown fox jumps over the lazy dog and keeps running far away';

let fx: Fixture | undefined;
const upstreams: ScriptedUpstream[] = [];
afterEach(async () => {
  await fx?.close();
  fx = undefined;
  await Promise.all(upstreams.splice(0).map((u) => u.close()));
});

/** Reads a stream to its end; returns the events and the error that ended it, if any. */
async function drain(stream: ChatStream): Promise<{ events: StreamEvent[]; text: string; error: unknown }> {
  const events: StreamEvent[] = [];
  let error: unknown;
  try {
    for await (const event of stream) events.push(event);
  } catch (e) {
    error = e;
  }
  const text = events.map((e) => (e.type === 'text' ? e.text : '')).join('');
  return { events, text, error };
}

const types = (events: StreamEvent[]) => events.map((e) => e.type).filter((t, i, all) => t !== 'text' || all[i - 1] !== 'text');

async function scripted(): Promise<ScriptedUpstream> {
  const upstream = await startScriptedUpstream();
  upstreams.push(upstream);
  return upstream;
}

describe('router.stream', () => {
  it('relays a healthy stream from the primary', async () => {
    fx = await startFixture();
    const stream = await fx.router.stream(ask(`echo: ${FULL}`));
    expect(stream.served).toEqual({ servedBy: 'primary', attempts: 1, fallbackDepth: 0, degraded: false });
    const { events, text, error } = await drain(stream);
    expect(error).toBeUndefined();
    expect(text).toBe(FULL);
    expect(types(events)).toEqual(['start', 'text', 'finish']);
  });

  it.each<[string, object]>([
    ['503', { errors: { '503': 1 } }],
    ['reset', { reset: 1 }],
    ['malformed first event', { malformed: 1 }],
    ['cut before the first token', { streamCut: { afterChunks: 1 } }],
  ])('fails over silently before the first token (%s): the caller sees only the secondary', async (_name, faults) => {
    fx = await startFixture();
    fx.mock.patchProfile({ deployments: { primary: faults } });
    const stream = await fx.router.stream(ask(`echo: ${FULL}`));
    expect(stream.served.servedBy).toBe('secondary');
    expect(stream.served.fallbackDepth).toBe(1);
    expect(stream.served.degraded).toBe(false);
    const { events, text, error } = await drain(stream);
    expect(error).toBeUndefined();
    expect(text).toBe(FULL);
    expect(types(events)).toEqual(['start', 'text', 'finish']);
    expect(fx.calls('primary')).toBeGreaterThanOrEqual(1);
  });

  it('fails over when the first token does not come in time (virtual time)', async () => {
    fx = await startFixture({ policies: { firstTokenTimeoutMs: 2_000, retry: { maxAttempts: 1 } } });
    const f = fx;
    f.mock.patchProfile({ deployments: { primary: { hang: 1 } } });
    const opening = f.router.stream(ask(`echo: ${FULL}`));
    await until(() => f.mock.stats().inFlight === 1);
    await f.clock.advance(2_000);
    const stream = await opening;
    expect(stream.served).toEqual({ servedBy: 'secondary', attempts: 2, fallbackDepth: 1, degraded: false });
    expect((await drain(stream)).text).toBe(FULL);
  });

  it('continues a stream cut mid-way on a model that can continue: one seamless answer, degraded', async () => {
    const primary = await scripted();
    const secondary = await scripted();
    primary.breakAfter(4);
    fx = await startFixture({
      route: { streamFailover: 'continue' },
      edit: (config) => {
        config.providers.primary = { type: 'anthropic', baseUrl: primary.url, apiKey: 'k1' };
        config.providers.secondary = { type: 'anthropic', baseUrl: secondary.url, apiKey: 'k2' };
        config.modelGroups.gpt35.deployments[0].canContinue = true;
      },
    });
    const requests: RequestEvent[] = [];
    fx.router.onRequest((e) => requests.push(e));
    const stream = await fx.router.stream(ask(`echo: ${FULL}`));
    expect(stream.served.servedBy).toBe('primary');
    const { events, text, error } = await drain(stream);
    expect(error).toBeUndefined();
    expect(text).toBe(FULL); // no gap, no repetition (the prefill's trailing space is not doubled)
    expect(types(events)).toEqual(['start', 'text', 'finish']);
    expect(stream.served).toEqual({ servedBy: 'secondary', attempts: 2, fallbackDepth: 1, degraded: true });
    // The continuing model got the original messages plus the partial answer as an assistant prefill.
    const handed = secondary.bodies[0].messages;
    expect(handed).toHaveLength(2);
    expect(handed[1]).toMatchObject({ role: 'assistant' });
    expect(JSON.stringify(handed[1].content)).toContain('The quick brown fox');
    expect(requests).toEqual([expect.objectContaining({ ok: true, stream: true, servedBy: 'secondary', degraded: true })]);
  });

  it('detects a malformed chunk mid-stream and continues', async () => {
    const primary = await scripted();
    const secondary = await scripted();
    primary.breakAfter(3, 'malformed');
    fx = await startFixture({
      edit: (config) => {
        config.providers.primary = { type: 'anthropic', baseUrl: primary.url, apiKey: 'k1' };
        config.providers.secondary = { type: 'anthropic', baseUrl: secondary.url, apiKey: 'k2' };
        config.modelGroups.gpt35.deployments[0].canContinue = true;
      },
    });
    const stream = await fx.router.stream(ask(`echo: ${FULL}`));
    const { text, error } = await drain(stream);
    expect(error).toBeUndefined();
    expect(text).toBe(FULL);
    expect(stream.served.degraded).toBe(true);
  });

  it('continues a mock stream cut mid-way on an OpenAI-dialect model with a continuation instruction', async () => {
    fx = await startFixture({ canContinue: { secondary: true } });
    fx.mock.patchProfile({ deployments: { primary: { streamCut: { afterChunks: 4 } } } });
    const stream = await fx.router.stream(ask(`echo: ${FULL}`));
    const { events, text, error } = await drain(stream);
    expect(error).toBeUndefined();
    // 4 SSE events: the role chunk then 3 words; the rest comes from the secondary, once, with no second start.
    expect(text.startsWith('The quick brown')).toBe(true);
    expect(text.slice('The quick brown'.length)).toMatch(/^mock answer from gpt-4o-mini via secondary: [0-9a-f]{8}$/);
    expect(events.filter((e) => e.type === 'start')).toHaveLength(1);
    expect(events.filter((e) => e.type === 'finish')).toHaveLength(1);
    expect(stream.served).toMatchObject({ servedBy: 'secondary', degraded: true });
  });

  it('ends with StreamInterruptedError, never a silent truncated success, when no model can continue', async () => {
    fx = await startFixture();
    fx.mock.patchProfile({ deployments: { primary: { streamCut: { afterChunks: 4 } } } });
    const stream = await fx.router.stream(ask(`echo: ${FULL}`));
    const { events, text, error } = await drain(stream);
    expect(error).toBeInstanceOf(StreamInterruptedError);
    expect((error as StreamInterruptedError).message).toMatch(/no model with canContinue/);
    expect(text).toBe('The quick brown');
    expect(events.some((e) => e.type === 'finish')).toBe(false);
    expect(fx.calls('secondary')).toBe(0);
  });

  it('a deployment that cuts every stream after its first tokens trips its breaker (the breaker covers the stream, not just its opening)', async () => {
    fx = await startFixture({ canContinue: { secondary: true }, policies: { breaker: { failureThreshold: 3 } } });
    fx.mock.patchProfile({ deployments: { primary: { streamCut: { afterChunks: 4 } } } });
    for (let i = 0; i < 3; i++) {
      const { error, text } = await drain(await fx.router.stream(ask(`echo: ${FULL}`)));
      expect(error).toBeUndefined(); // continued on the secondary each time
      expect(text.startsWith('The quick brown')).toBe(true);
    }
    expect(fx.calls('primary')).toBe(3);
    const after = await fx.router.stream(ask(`echo: ${FULL}`));
    expect(after.served).toMatchObject({ servedBy: 'secondary', degraded: false });
    expect((await drain(after)).text).toBe(FULL);
    expect(fx.calls('primary')).toBe(3); // the open breaker skipped it at no cost
  });

  it('a stream the caller abandons does not count against the breaker', async () => {
    fx = await startFixture({ policies: { breaker: { failureThreshold: 1 } } });
    for (let i = 0; i < 3; i++) {
      const controller = new AbortController();
      const stream = await fx.router.stream(ask(`echo: ${FULL}`), { signal: controller.signal });
      const iterator = stream[Symbol.asyncIterator]();
      await iterator.next();
      controller.abort();
      await iterator.return?.();
    }
    const stream = await fx.router.stream(ask(`echo: ${FULL}`));
    expect(stream.served.servedBy).toBe('primary');
    await drain(stream);
  });

  it("streamFailover 'error' ends a broken stream with StreamInterruptedError at once", async () => {
    fx = await startFixture({ route: { streamFailover: 'error' }, canContinue: { secondary: true } });
    fx.mock.patchProfile({ deployments: { primary: { streamCut: { afterChunks: 4 } } } });
    const requests: RequestEvent[] = [];
    fx.router.onRequest((e) => requests.push(e));
    const { error } = await drain(await fx.router.stream(ask(`echo: ${FULL}`)));
    expect(error).toBeInstanceOf(StreamInterruptedError);
    expect(fx.calls('secondary')).toBe(0);
    expect(requests).toEqual([expect.objectContaining({ ok: false, stream: true, errorKind: 'stream_interrupted' })]);
  });

  it('detects a stalled stream with the idle timeout (virtual time) and continues it', async () => {
    const primary = await scripted();
    const secondary = await scripted();
    primary.breakAfter(3, 'stall');
    fx = await startFixture({
      policies: { idleTimeoutMs: 5_000 },
      edit: (config) => {
        config.providers.primary = { type: 'anthropic', baseUrl: primary.url, apiKey: 'k1' };
        config.providers.secondary = { type: 'anthropic', baseUrl: secondary.url, apiKey: 'k2' };
        config.modelGroups.gpt35.deployments[0].canContinue = true;
      },
    });
    const f = fx;
    const stream = await f.router.stream(ask(`echo: ${FULL}`));
    const events: StreamEvent[] = [];
    const reading = (async () => {
      for await (const event of stream) events.push(event);
    })();
    await until(() => events.filter((e) => e.type === 'text').length === 3);
    await f.clock.advance(4_999);
    expect(secondary.bodies).toHaveLength(0); // not idle long enough yet
    await f.clock.advance(1);
    await reading;
    expect(events.map((e) => (e.type === 'text' ? e.text : '')).join('')).toBe(FULL);
    expect(stream.served).toMatchObject({ servedBy: 'secondary', degraded: true });
  });

  it('caller abort cancels the upstream request at once', async () => {
    fx = await startFixture();
    const f = fx;
    f.mock.patchProfile({ deployments: { primary: { tokenDelayMs: 30 } } });
    const controller = new AbortController();
    const stream = await f.router.stream(ask(`echo: ${FULL}`), { signal: controller.signal });
    expect(f.mock.stats().inFlight).toBe(1);
    const seen: StreamEvent[] = [];
    let error: unknown;
    try {
      for await (const event of stream) {
        seen.push(event);
        if (event.type === 'text') controller.abort();
      }
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(LlmError);
    expect((error as LlmError).kind).toBe('cancelled');
    await until(() => f.mock.stats().inFlight === 0, 2_000);
    expect(f.calls('secondary')).toBe(0);
  });

  it('breaking out of the loop early also cancels the upstream request', async () => {
    fx = await startFixture();
    const f = fx;
    // Tokens 2 s apart: left alone the stream would last ~30 s, so only the cancellation can end
    // the upstream request inside the 2 s wait.
    f.mock.patchProfile({ deployments: { primary: { tokenDelayMs: 2_000 } } });
    const stream = await f.router.stream(ask(`echo: ${FULL}`));
    let inFlightAtBreak = -1;
    for await (const event of stream) {
      if (event.type === 'text') {
        inFlightAtBreak = f.mock.stats().inFlight;
        break;
      }
    }
    expect(inFlightAtBreak).toBe(1);
    await until(() => f.mock.stats().inFlight === 0, 2_000);
  });

  it('writes a completed stream to the cache; a fresh hit and stale-if-error replay it as a stream', async () => {
    fx = await startFixture({ route: { cache: true } });
    const first = await drain(await fx.router.stream(ask(`echo: ${FULL}`)));
    const hit = await fx.router.stream(ask(`echo: ${FULL}`));
    expect(hit.served).toEqual({ servedBy: 'cache', attempts: 0, fallbackDepth: 0, degraded: false });
    expect((await drain(hit)).text).toBe(first.text);
    expect(fx.calls('primary')).toBe(1);
    await fx.clock.advance(6 * 60_000);
    fx.mock.patchProfile({ default: { errors: { '500': 1 } } });
    const stale = await fx.router.stream(ask(`echo: ${FULL}`));
    expect(stale.served).toEqual({ servedBy: 'cache', attempts: 4, fallbackDepth: 2, degraded: true });
    const replay = await drain(stale);
    expect(replay.text).toBe(FULL);
    expect(types(replay.events)).toEqual(['start', 'text', 'finish']);
  });

  it('does not cache an answer stitched from two models (a later hit would pass it off as one fresh answer)', async () => {
    fx = await startFixture({ route: { cache: true }, canContinue: { secondary: true } });
    fx.mock.patchProfile({ deployments: { primary: { streamCut: { afterChunks: 4 } } } });
    const continued = await fx.router.stream(ask(`echo: ${FULL}`));
    expect((await drain(continued)).error).toBeUndefined();
    expect(continued.served.degraded).toBe(true);
    fx.mock.patchProfile({ deployments: { primary: null } });
    const next = await fx.router.stream(ask(`echo: ${FULL}`));
    expect(next.served.servedBy).toBe('primary'); // a miss: asked upstream again
    expect((await drain(next)).text).toBe(FULL);
  });

  it('streams the default answer when every model fails, and rejects before any byte when there is none', async () => {
    fx = await startFixture({ route: { defaultResponse: 'Please retry later ({{model}})' } });
    fx.mock.patchProfile({ default: { errors: { '503': 1 } } });
    const stream = await fx.router.stream(ask('hi'));
    expect(stream.served).toMatchObject({ servedBy: 'default', fallbackDepth: 3, degraded: true });
    expect((await drain(stream)).text).toBe('Please retry later (gpt-4)');
    await fx.close();
    fx = await startFixture({ route: { staleIfError: false } });
    fx.mock.patchProfile({ default: { errors: { '503': 1 } } });
    await expect(fx.router.stream(ask('hi'))).rejects.toMatchObject({ code: 'BULWARK_ERR_ALL_FALLBACKS_FAILED' });
  });
});
