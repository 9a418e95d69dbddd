import type { ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../src/gateway/gateway.js';
import { AnswerBudget } from '../../src/llm/providers/answer-budget.js';
import { createProvider } from '../../src/llm/providers/create-provider.js';
import { ScriptedUpstream, answerNormally, type SeenRequest } from './scripted-upstream.js';
import { TENANT_A_KEY, TENANT_B_KEY, post, startGatewayUnderTest } from './gateway-under-test.js';

const MiB = 1024 * 1024;

/**
 * An upstream answer of `totalBytes` (a JSON completion whose content is padding), written 256 KiB
 * at a time with backpressure, so the upstream only produces what the gateway reads. Resolves
 * `sent` with the bytes actually written when the connection ends.
 */
function hugeAnswer(totalBytes: number, sent: (bytes: number) => void): (seen: SeenRequest, res: ServerResponse) => void {
  return (_seen, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    const chunk = Buffer.alloc(256 * 1024, 'a');
    let written = 0;
    res.write('{"id":"c1","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"');
    const pump = () => {
      while (written < totalBytes && !res.destroyed) {
        written += chunk.length;
        if (!res.write(chunk)) return void res.once('drain', pump);
      }
      if (!res.destroyed) res.end('"},"finish_reason":"stop"}],"usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}}');
    };
    res.on('close', () => sent(written));
    pump();
  };
}

// Defect 2 of issue 13: what the gateway buffers of an upstream answer is bounded. A too-large
// answer is a clear 502 and the socket is not read further, never an out-of-memory.
describe('security: an upstream sending a huge answer', () => {
  let upstream: ScriptedUpstream;
  let gateway: Gateway;

  beforeAll(async () => {
    upstream = await ScriptedUpstream.start();
    ({ gateway } = await startGatewayUnderTest(upstream.url));
  });
  afterAll(async () => {
    await gateway.shutdown(1000);
    await upstream.close();
  });

  it('is cut off at the default 16 MiB cap (a 64 MiB answer: 502 naming the cap, the rest never read), and others are served', async () => {
    let sentBytes = -1;
    const closed = new Promise<void>((resolve) => {
      upstream.reply = hugeAnswer(64 * MiB, (bytes) => {
        sentBytes = bytes;
        resolve();
      });
    });
    const res = await post(gateway, '/v1/chat/completions', TENANT_A_KEY, { model: 'gpt-4', messages: [{ role: 'user', content: 'flood me' }] });
    const body = await res.text();
    expect(res.status).toBe(502);
    expect(body).toMatch(/larger than 16777216 bytes/);
    await closed;
    expect(sentBytes).toBeLessThan(24 * MiB); // read stopped at the cap (plus socket buffers)
    upstream.reply = answerNormally;
    const after = await post(gateway, '/v1/chat/completions', TENANT_B_KEY, { model: 'gpt-4', messages: [{ role: 'user', content: 'hi' }] });
    expect(after.status).toBe(200);
  });
});

describe('security: the per-provider cap and the process-wide answer budget', () => {
  let upstream: ScriptedUpstream;
  beforeAll(async () => {
    upstream = await ScriptedUpstream.start();
  });
  afterAll(() => upstream.close());

  /** A plain chat call as an exchange prepares it (the transport is what is under test). */
  const chatCall = { endpoint: 'chat/completions', model: 'm', stream: false, body: [Buffer.from(JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'x' }] }))] };

  it('honours a configured maxAnswerBytes', async () => {
    upstream.reply = hugeAnswer(8 * MiB, () => undefined);
    const provider = createProvider({ type: 'openai', baseUrl: `${upstream.url}/v1`, apiKey: 'k', maxAnswerBytes: MiB });
    try {
      await expect(provider.send(chatCall)).rejects.toMatchObject({ kind: 'server_error', message: expect.stringMatching(/larger than 1048576 bytes/) });
    } finally {
      await provider.close();
    }
  });

  it('fails the answer that would take the process past its budget, and gives every byte back', async () => {
    // The three answers overlap for certain: each holds its last bytes until one of them has been
    // cut off (its connection closed), so none can finish — and give its bytes back — before the
    // gateway has had to refuse one. (Waiting only until each had handed its 3 MiB to the socket
    // was not enough: loopback socket buffers can take them all before the gateway reads any, and
    // the gateway may then read the answers one after the other, each within the budget.)
    const tails: Array<() => void> = [];
    let cut = false;
    upstream.reply = (_seen, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"id":"c1","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"');
      res.write(Buffer.alloc(3 * MiB, 'a'));
      const end = () => {
        if (!res.destroyed) res.end('"},"finish_reason":"stop"}],"usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}}');
      };
      res.on('close', () => {
        if (res.writableFinished || cut) return;
        cut = true;
        for (const tail of tails.splice(0)) tail();
      });
      if (cut) end();
      else tails.push(end);
    };
    const budget = new AnswerBudget(4 * MiB);
    const provider = createProvider({ type: 'openai', baseUrl: `${upstream.url}/v1`, apiKey: 'k' }, { answerBudget: budget });
    try {
      const results = await Promise.allSettled([1, 2, 3].map(() => provider.send(chatCall)));
      const failed = results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason as { kind: string; message: string });
      expect(failed.length).toBeGreaterThanOrEqual(1);
      for (const f of failed) expect(f).toMatchObject({ kind: 'gateway_overloaded', message: expect.stringMatching(/limit is 4194304/) });
      expect(budget.inUseBytes).toBe(0);
    } finally {
      await provider.close();
    }
  });
});
