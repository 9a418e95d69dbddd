/**
 * Issue 13 defect 1's principle for the process answer budget, over real sockets: an answer that
 * finds the shared budget full fails for Bulwark's own reason, so the deployment that happened to
 * answer at that moment keeps a closed breaker, is not ejected and is not marked unhealthy (the
 * request fails over). An answer above its own provider's cap is that upstream's doing and counts.
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AttemptEvent } from '../router-events.js';
import { createRouter } from '../router/create-router.js';
import { AnswerBudget } from './answer-budget.js';
import { createProvider } from './create-provider.js';

const MiB = 1024 * 1024;

const head = (model: string) => `{"id":"c","object":"chat.completion","created":1,"model":"${model}","choices":[{"index":0,"message":{"role":"assistant","content":"`;
const TAIL = '"},"finish_reason":"stop"}],"usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}}';

/** An upstream answering `model` with `bytesOf(model)` bytes of content; `hold` keeps the tail of the `hog` answer until released. */
async function upstream(bytesOf: (model: string) => number, hold?: Promise<void>): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const model = (JSON.parse(Buffer.concat(chunks).toString()) as { model: string }).model;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write(head(model));
      res.write(Buffer.alloc(bytesOf(model), 'a'));
      if (model === 'hog' && hold !== undefined) void hold.then(() => res.end(TAIL));
      else res.end(TAIL);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 2000 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
  expect(condition()).toBe(true);
}

describe('the answer budget counts against no deployment', () => {
  let release: () => void = () => undefined;
  let hogs: { server: Server; url: string };
  let answers: { server: Server; url: string };

  beforeAll(async () => {
    hogs = await upstream(() => 3 * MiB, new Promise<void>((resolve) => (release = resolve)));
    answers = await upstream((model) => (model === 'big' ? 2 * MiB : 10));
  });
  afterAll(() => {
    release();
    hogs.server.close();
    answers.server.close();
  });

  function routerWith(budget: AnswerBudget, innocentMaxAnswerBytes?: number) {
    return createRouter(
      {
        providers: {
          hog: { type: 'openai', baseUrl: `${hogs.url}/v1`, apiKey: 'k' },
          innocent: { type: 'openai', baseUrl: `${answers.url}/v1`, apiKey: 'k', ...(innocentMaxAnswerBytes === undefined ? {} : { maxAnswerBytes: innocentMaxAnswerBytes }) },
          backup: { type: 'openai', baseUrl: `${answers.url}/v1`, apiKey: 'k' },
        },
        modelGroups: {
          hog: { deployments: [{ id: 'hog-1', provider: 'hog', model: 'hog' }] },
          innocent: { deployments: [{ id: 'innocent-1', provider: 'innocent', model: 'big' }], ejection: { consecutiveFailures: 1 } },
          backup: { deployments: [{ id: 'backup-1', provider: 'backup', model: 'small' }] },
        },
        routes: [{ name: 'hog', chain: ['hog'], staleIfError: false }, { name: 'r', chain: ['innocent', 'backup'], staleIfError: false }],
        policies: { breaker: { failureThreshold: 1 }, retry: { maxAttempts: 1 } },
      },
      { providers: (_name, config) => createProvider(config, { answerBudget: budget }) },
    );
  }

  const innocentOf = (router: ReturnType<typeof routerWith>) => router.inspect().routes.find((r) => r.name === 'r')!.chain[0].deployments[0];

  it('a full budget: the request fails over; the innocent deployment’s breaker, ejection and health are untouched', async () => {
    const budget = new AnswerBudget(4 * MiB);
    const router = routerWith(budget);
    const attempts: AttemptEvent[] = [];
    router.onAttempt((e) => attempts.push(e));
    try {
      const hog = router.chat({ model: 'hog', messages: [{ role: 'user', content: 'x' }] });
      await until(() => budget.inUseBytes >= 3 * MiB); // the hog's answer holds 3 of the 4 MiB
      const answer = await router.chat({ model: 'r', messages: [{ role: 'user', content: 'x' }] });
      expect(answer.served.servedBy).toBe('backup-1');
      const innocent = innocentOf(router);
      expect(innocent.breaker).toBe('closed');
      expect(innocent.ejected).toBe(false);
      expect(innocent.lastErrorKind).toBeUndefined();
      expect(attempts.filter((e) => e.deployment === 'innocent-1')).toEqual([]); // health and SLA see no failed attempt
      release();
      await hog;
      expect(budget.inUseBytes).toBe(0);
      // With the budget free again, the innocent deployment answers at once.
      expect((await router.chat({ model: 'r', messages: [{ role: 'user', content: 'x' }] })).served.servedBy).toBe('innocent-1');
    } finally {
      release();
      await router.close();
    }
  });

  it('an answer above its own provider’s cap still counts against that deployment', async () => {
    const router = routerWith(new AnswerBudget(64 * MiB), MiB);
    try {
      expect((await router.chat({ model: 'r', messages: [{ role: 'user', content: 'x' }] })).served.servedBy).toBe('backup-1');
      const innocent = innocentOf(router);
      expect(innocent.breaker).toBe('open');
      expect(innocent.lastErrorKind).toBe('server_error');
    } finally {
      await router.close();
    }
  });
});
