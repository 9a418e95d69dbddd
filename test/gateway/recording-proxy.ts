/**
 * A recording proxy for end-to-end tests: an HTTP server in front of the mock provider that
 * forwards every request unchanged and keeps, for each, the exact bytes the gateway sent and
 * the exact bytes the provider answered. Tests compare them with what the client sent and
 * received ("the upstream body equals the client's body; the client gets the upstream's answer").
 *
 * Also a client-side `fetch` that records what an SDK sent and received, for the same comparison.
 */
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, expect } from 'vitest';
import { startMockProvider, type MockProvider } from '../../src/chaos/mock/server.js';
import type { Gateway } from '../../src/gateway/gateway.js';
import { startTestGateway } from './helpers.js';

/** One exchange seen by the recorder. */
export interface Recorded {
  method: string;
  /** Path as the gateway asked it, deployment prefix included. */
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  status: number;
  /** The provider's answer, byte for byte (a stream: every event). */
  answer: Buffer;
}

export interface RecordingUpstream {
  readonly url: string;
  readonly calls: Recorded[];
  /** The calls whose path ends with `suffix` (e.g. `/v1/responses`). */
  to(suffix: string): Recorded[];
  close(): Promise<void>;
}

/** Starts a recorder forwarding to `target` (the mock's URL). Port 0, 127.0.0.1. */
export async function startRecordingUpstream(target: string): Promise<RecordingUpstream> {
  const calls: Recorded[] = [];
  const upstream = new URL(target);
  const server: Server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (chunk: Buffer) => parts.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(parts);
      const headers = { ...req.headers, host: upstream.host };
      const forward = httpRequest({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers }, (answer) => {
        const answerParts: Buffer[] = [];
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.on('data', (chunk: Buffer) => {
          answerParts.push(chunk);
          res.write(chunk);
        });
        answer.on('end', () => {
          calls.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body, status: answer.statusCode ?? 0, answer: Buffer.concat(answerParts) });
          res.end();
        });
        answer.on('error', () => res.destroy());
      });
      forward.on('error', () => res.destroy());
      forward.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    to: (suffix) => calls.filter((c) => c.path.split('?')[0].endsWith(suffix)),
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

/** What a client sent and got back through {@link recordingFetch}. */
export interface ClientExchange {
  url: string;
  method: string;
  body: string | undefined;
  status: number;
  headers: Headers;
  /** The answer text, read from a clone (resolves once the whole answer arrived). */
  answer: Promise<string>;
}

/**
 * A `fetch` for SDKs' `fetch` option that records each request body and answer text (read from a
 * clone, so the SDK reads the body as usual).
 */
export function recordingFetch(seen: ClientExchange[]): typeof fetch {
  return async (input, init) => {
    const request = new Request(input, init);
    const body = request.body === null ? undefined : await request.clone().text();
    const response = await fetch(request);
    seen.push({ url: request.url, method: request.method, body, status: response.status, headers: response.headers, answer: response.clone().text() });
    return response;
  };
}

/** The upstream keys of {@link recorderProviders}: configs take secrets from the environment only. */
export const RECORDER_ENV = {
  P_OPENAI_KEY: 'sk-upstream-primary', S_OPENAI_KEY: 'sk-upstream-secondary',
  P_ANTHROPIC_KEY: 'sk-ant-upstream-primary', S_ANTHROPIC_KEY: 'sk-ant-upstream-secondary',
};

/** The gateway config head for a recorder: OpenAI and Anthropic providers on its logical deployments (keys: {@link RECORDER_ENV}). */
export function recorderProviders(recorderUrl: string): string {
  return `
providers:
  p-openai: { type: openai, baseUrl: "${recorderUrl}/deployments/primary/v1", apiKey: "\${P_OPENAI_KEY}" }
  s-openai: { type: openai, baseUrl: "${recorderUrl}/deployments/secondary/v1", apiKey: "\${S_OPENAI_KEY}" }
  p-anthropic: { type: anthropic, baseUrl: "${recorderUrl}/deployments/primary", apiKey: "\${P_ANTHROPIC_KEY}" }
  s-anthropic: { type: anthropic, baseUrl: "${recorderUrl}/deployments/secondary", apiKey: "\${S_ANTHROPIC_KEY}" }`;
}

/**
 * A gateway config over a recorder: same-API routes named like their models (so the body the
 * upstream gets can equal the client's byte for byte), each with a primary and a secondary where
 * failover is tested. Retries off, breakers that never open: every failure shows at once.
 */
export function passThroughConfig(recorderUrl: string): string {
  return `
server: { port: 0 }
logging: { level: warn }
${recorderProviders(recorderUrl)}
modelGroups:
  gpt-primary: { deployments: [ { id: primary-gpt, provider: p-openai, model: gpt-4o } ] }
  gpt-secondary: { deployments: [ { id: secondary-gpt, provider: s-openai, model: gpt-4o } ] }
  emb-primary: { deployments: [ { id: primary-emb, provider: p-openai, model: text-embedding-3-small } ] }
  emb-secondary: { deployments: [ { id: secondary-emb, provider: s-openai, model: text-embedding-3-small } ] }
  instruct: { deployments: [ { id: primary-instruct, provider: p-openai, model: gpt-3.5-turbo-instruct } ] }
  sonnet: { deployments: [ { id: primary-sonnet, provider: p-anthropic, model: claude-sonnet-4-6 } ] }
routes:
  - { name: gpt-4o, chain: [gpt-primary, gpt-secondary], defaultResponse: "Sorry, try again later." }
  - { name: text-embedding-3-small, chain: [emb-primary, emb-secondary], cache: true }
  - { name: gpt-3.5-turbo-instruct, chain: [instruct] }
  - { name: claude-sonnet-4-6, chain: [sonnet] }
policies:
  retry: { maxAttempts: 1 }
  breaker: { failureThreshold: 1000 }
`;
}

/** client → gateway → recorder → mock, started together (see {@link passThroughConfig}). */
export interface PassThroughStack {
  mock: MockProvider;
  recorder: RecordingUpstream;
  gateway: Gateway;
  /** A healthy mock with nothing stored, and no recorded calls. */
  reset(): void;
  close(): Promise<void>;
}

export async function startPassThroughStack(): Promise<PassThroughStack> {
  const mock = await startMockProvider();
  const recorder = await startRecordingUpstream(mock.url);
  const gateway = await startTestGateway(passThroughConfig(recorder.url), { env: RECORDER_ENV });
  return {
    mock, recorder, gateway,
    reset() {
      mock.reset();
      recorder.calls.length = 0;
    },
    async close() {
      await gateway.shutdown(1000);
      await recorder.close();
      await mock.close();
    },
  };
}

/**
 * Asserts the last client request reached `deployment` once, at `suffix`, with
 * the client's body byte for byte and the deployment's credentials (never the client's), and
 * that the client got the upstream's answer byte for byte. Returns the recorded call.
 */
export async function expectPassedThrough(recorder: RecordingUpstream, seen: ClientExchange[], suffix: string, deployment = 'primary'): Promise<Recorded> {
  const calls = recorder.to(suffix).filter((c) => c.path.startsWith(`/deployments/${deployment}/`));
  expect(calls).toHaveLength(1);
  const [call] = calls;
  expect(call.path).toBe(`/deployments/${deployment}${suffix}`);
  const client = seen.filter((c) => new URL(c.url).pathname.endsWith(suffix)).at(-1)!;
  expect(call.body.toString('utf8')).toBe(client.body);
  expect(JSON.stringify(call.headers)).not.toContain('client-key');
  expect(await client.answer).toBe(call.answer.toString('utf8'));
  return call;
}

/**
 * Registers a test file's hooks: one {@link PassThroughStack} for the file, reset before each
 * test, and `seen` (what the client sent and got, via {@link recordingFetch}) emptied.
 */
export function usePassThroughStack(): { readonly stack: PassThroughStack; readonly seen: ClientExchange[] } {
  let stack: PassThroughStack | undefined;
  const seen: ClientExchange[] = [];
  beforeAll(async () => {
    stack = await startPassThroughStack();
  });
  afterAll(() => stack?.close());
  beforeEach(() => {
    stack!.reset();
    seen.length = 0;
  });
  return {
    get stack() {
      return stack!;
    },
    seen,
  };
}
