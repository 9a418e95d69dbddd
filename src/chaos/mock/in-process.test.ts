import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../core/fake-clock.js';
import { seededRandom } from '../../core/random.js';
import { TimeoutError } from '../../core/errors.js';
import { LlmError } from '../../llm/errors.js';
import { createProvider } from '../../llm/providers/create-provider.js';
import type { ChatRequest, StreamEvent } from '../../llm/types.js';
import { canonicalCalls } from '../../llm/providers/canonical-calls.fixture.js';
import { InProcessMock } from './in-process.js';
import { startMockProvider, type MockProvider } from './server.js';

/** A clock for the codec's `created` stamps (the mock's own clock drives its delays). */
const clockOf = () => new FakeClock();

const ask = (text: string, extra: Partial<ChatRequest> = {}): ChatRequest => ({ model: 'gpt-4o', messages: [{ role: 'user', content: text }], ...extra });

async function outcome(run: () => Promise<unknown>): Promise<string> {
  try {
    const value = await run();
    return `ok:${(value as { content: string }).content}`;
  } catch (error) {
    return error instanceof LlmError ? `${error.kind}:${error.upstreamStatus ?? ''}:${error.retryAfterMs ?? ''}` : `other:${String(error)}`;
  }
}

let http: MockProvider | undefined;
afterEach(async () => {
  await http?.close();
  http = undefined;
});

describe('InProcessMock: the mock provider without sockets', () => {
  it('answers like the HTTP mock (same text, usage and deployment)', async () => {
    const mock = new InProcessMock();
    const answer = await canonicalCalls(mock.provider('primary'), clockOf()).chat(ask('hello'));
    expect(answer.content).toMatch(/^mock answer from gpt-4o via primary: [0-9a-f]{8}$/);
    expect(answer.finishReason).toBe('stop');
    expect(mock.stats().byDeployment.primary).toEqual({ requests: 1, byStatus: { 200: 1 } });
  });

  it('draws the same fault sequence as the HTTP mock for the same seed and profile', async () => {
    const profile = { default: { errors: { '429': 0.2, '500': 0.2, '503': 0.1 }, retryAfterMs: 1500, malformed: 0.1 } };
    http = await startMockProvider({ profile, random: seededRandom(7) });
    const overHttp = createProvider({ type: 'openai', baseUrl: `${http.deploymentUrl('d1')}/v1`, apiKey: 'sk-test' });
    const inProcess = new InProcessMock({ profile, random: seededRandom(7) }).provider('d1');
    const viaHttp: string[] = [];
    const viaMemory: string[] = [];
    for (let i = 0; i < 40; i++) {
      viaHttp.push(await outcome(() => canonicalCalls(overHttp, clockOf()).chat(ask(`q${i}`))));
      viaMemory.push(await outcome(() => canonicalCalls(inProcess, clockOf()).chat(ask(`q${i}`))));
    }
    await overHttp.close();
    expect(new Set(viaHttp.map((o) => o.split(':')[0]))).toEqual(new Set(['ok', 'rate_limited', 'server_error', 'overloaded']));
    expect(viaMemory).toEqual(viaHttp);
  });

  // Each cloud API through its own wire and its own provider's error reading, over HTTP and in process.
  const clouds = [
    { family: 'gemini' as const, config: (url: string) => ({ type: 'gemini' as const, baseUrl: url, apiKey: 'gk-test' }), model: 'gemini-2.5-pro' },
    {
      family: 'bedrock' as const, model: 'us.anthropic.claude-sonnet-4-20250514-v1:0',
      config: (url: string) => ({ type: 'bedrock' as const, baseUrl: url, region: 'us-east-1', awsCredentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret-test' } }),
    },
  ];
  for (const cloud of clouds) {
    it(`speaks ${cloud.family} like the HTTP mock: same answers, same faults, errors read as its provider reads them`, async () => {
      const profile = { default: { errors: { '429': 0.2, '500': 0.2, '503': 0.1 }, retryAfterMs: 1500, malformed: 0.1 } };
      http = await startMockProvider({ profile, random: seededRandom(7) });
      const overHttp = createProvider(cloud.config(http.deploymentUrl('d1')));
      const mock = new InProcessMock({ profile, random: seededRandom(7) });
      const inProcess = mock.provider('d1', cloud.family);
      expect(inProcess.dialect).toBe(cloud.family);
      const viaHttp: string[] = [];
      const viaMemory: string[] = [];
      for (let i = 0; i < 40; i++) {
        viaHttp.push(await outcome(() => canonicalCalls(overHttp, clockOf()).chat(ask(`q${i}`, { model: cloud.model }))));
        viaMemory.push(await outcome(() => canonicalCalls(inProcess, clockOf()).chat(ask(`q${i}`, { model: cloud.model }))));
      }
      await overHttp.close();
      expect(new Set(viaHttp.map((o) => o.split(':')[0]))).toEqual(new Set(['ok', 'rate_limited', 'server_error', 'overloaded']));
      expect(viaMemory).toEqual(viaHttp);
      expect(viaMemory.find((o) => o.startsWith('ok:'))).toContain(`mock answer from ${cloud.model} via d1`);
      expect(Object.keys(mock.stats().byEndpoint)).toEqual([cloud.family === 'gemini' ? 'gemini.generateContent' : 'bedrock.converse']);
    });

    it(`streams ${cloud.family} in its own framing, and cuts it like the HTTP mock`, async () => {
      const mock = new InProcessMock({ profile: { deployments: { cut: { streamCut: { afterChunks: 2, probability: 1 } } } } });
      const read = async (deployment: string) => {
        const seen: StreamEvent[] = [];
        try {
          for await (const event of canonicalCalls(mock.provider(deployment, cloud.family), clockOf()).stream(ask('tell me', { model: cloud.model }))) seen.push(event);
          return { seen, error: undefined };
        } catch (error) {
          return { seen, error };
        }
      };
      const whole = await read('p');
      expect(whole.error).toBeUndefined();
      expect(whole.seen.at(-1)?.type).toBe('finish');
      const text = whole.seen.map((e) => (e.type === 'text' ? e.text : '')).join('');
      expect(text).toContain(`mock answer from ${cloud.model} via p`);
      const cut = await read('cut');
      expect(cut.error).toMatchObject({ kind: 'connection' });
      expect(cut.seen.some((e) => e.type === 'finish')).toBe(false);
    });
  }

  it('waits the drawn latency on the injected clock', async () => {
    const clock = new FakeClock();
    const mock = new InProcessMock({ clock, profile: { default: { latency: { kind: 'fixed', ms: 300 } } } });
    let done = false;
    const answer = canonicalCalls(mock.provider('p'), clockOf()).chat(ask('hi')).then(() => (done = true));
    await clock.advance(299);
    expect(done).toBe(false);
    await clock.advance(1);
    await answer;
    expect(done).toBe(true);
  });

  it('hangs until the caller aborts; an abort by a timeout is a timeout error', async () => {
    const mock = new InProcessMock({ profile: { default: { hang: 1 } } });
    const controller = new AbortController();
    const call = canonicalCalls(mock.provider('p'), clockOf()).chat(ask('hi'), { signal: controller.signal });
    await new Promise((resolve) => setImmediate(resolve));
    expect(mock.stats().inFlight).toBe(1);
    controller.abort(new TimeoutError(2000));
    await expect(call).rejects.toMatchObject({ kind: 'timeout' });
    expect(mock.stats().inFlight).toBe(0);
  });

  it('applies a 429 rate-limit window with Retry-After to the end of the second', async () => {
    const clock = new FakeClock();
    const mock = new InProcessMock({ clock, profile: { default: { rateLimit: { requestsPerSecond: 2 } } } });
    const p = mock.provider('p');
    await canonicalCalls(p, clockOf()).chat(ask('1'));
    await clock.advance(400);
    await canonicalCalls(p, clockOf()).chat(ask('2'));
    const third = await outcome(() => canonicalCalls(p, clockOf()).chat(ask('3')));
    expect(third).toBe('rate_limited:429:600');
  });

  it('cuts a stream after the given number of events without its finish event (connection error)', async () => {
    const mock = new InProcessMock({ profile: { deployments: { p: { streamCut: { afterChunks: 3, probability: 1 } } } } });
    const seen: StreamEvent[] = [];
    const read = async (deployment: string) => {
      for await (const event of canonicalCalls(mock.provider(deployment), clockOf()).stream(ask('tell me'))) seen.push(event);
    };
    await expect(read('p')).rejects.toMatchObject({ kind: 'connection' });
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.some((e) => e.type === 'finish')).toBe(false);
    seen.length = 0;
    await read('other');
    expect(seen.at(-1)?.type).toBe('finish');
  });

  it('enforces the first-token timeout of a hanging stream on the injected clock', async () => {
    const clock = new FakeClock();
    const mock = new InProcessMock({ clock, profile: { default: { hang: 1 } } });
    const read = (async () => {
      for await (const _ of canonicalCalls(mock.provider('p'), clockOf()).stream(ask('x'), { firstTokenTimeoutMs: 1000 })) void _;
    })();
    const settled = read.catch((e: unknown) => e);
    await clock.advance(1000);
    expect(await settled).toMatchObject({ kind: 'timeout' });
  });

  it('patches and replaces the profile like the control API', async () => {
    const mock = new InProcessMock();
    mock.patchProfile({ deployments: { p: { errors: { '503': 1 } } } });
    expect(await outcome(() => canonicalCalls(mock.provider('p'), clockOf()).chat(ask('x')))).toMatch(/^overloaded:503/);
    expect(await outcome(() => canonicalCalls(mock.provider('q'), clockOf()).chat(ask('x')))).toMatch(/^ok:/);
    mock.patchProfile({ deployments: { p: null } });
    expect(await outcome(() => canonicalCalls(mock.provider('p'), clockOf()).chat(ask('x')))).toMatch(/^ok:/);
    mock.setProfile('down');
    expect(await outcome(() => canonicalCalls(mock.provider('q'), clockOf()).chat(ask('x')))).toMatch(/^overloaded:503/);
    expect(() => mock.setProfile('nope')).toThrow(/unknown preset/);
  });
});
