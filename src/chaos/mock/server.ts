/**
 * `startMockProvider`: an OpenAI- and Anthropic-compatible mock LLM server with injectable
 * faults, on node:http with keep-alive. The upstream of the demo and of the test suite.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { systemClock, type Clock } from '../../core/clock.js';
import { seededRandom, type RandomSource } from '../../core/random.js';
import { CONTROL_PREFIX, handleControl, sendControlError } from './control-api.js';
import { DEPLOYMENT_PREFIX, MockEngine } from './engine.js';
import { parseMockProfile, patchMockProfile, type MockProfile, type MockProfileInput } from './profile.js';
import type { MockPresetName } from './presets.js';
import type { MockStats } from './stats.js';

/** Default host of the mock. */
export const DEFAULT_MOCK_HOST = '127.0.0.1';
/** Default seed of the mock's random source. */
export const DEFAULT_MOCK_SEED = 1;
/** Keep-alive timeout of the mock's connections (load generators keep them open). */
export const MOCK_KEEP_ALIVE_TIMEOUT_MS = 65_000;
/** Models listed by `GET /v1/models` (plus every model named in the profile). */
export const DEFAULT_MOCK_MODELS: readonly string[] = Object.freeze([
  'gpt-4o', 'gpt-4o-mini', 'claude-sonnet-4-6', 'claude-haiku-4-5', 'text-embedding-3-small', 'text-embedding-3-large', 'gpt-3.5-turbo-instruct',
]);

export interface MockProviderOptions {
  /** Port; default 0 (an ephemeral port — read it from `MockProvider.port`). */
  port?: number;
  /** Host; default `127.0.0.1`. */
  host?: string;
  /** Profile object, preset name or `{ preset }`; default `healthy`. */
  profile?: MockProfileInput | MockPresetName | { preset: MockPresetName };
  /** Seed of the random source; default {@link DEFAULT_MOCK_SEED}. Ignored when `random` is given. */
  seed?: number;
  /** Random source for every fault and latency draw; default `seededRandom(seed)`. */
  random?: RandomSource;
  /** Clock for latency and pacing; default the system clock (a FakeClock gives virtual time). */
  clock?: Clock;
  /** Models listed by `GET /v1/models`; default {@link DEFAULT_MOCK_MODELS}. */
  models?: readonly string[];
}

/** A running mock provider. */
export interface MockProvider {
  /** `http://host:port` — OpenAI SDK `baseURL` is `${url}/v1`, Anthropic SDK `baseURL` is `url`. */
  readonly url: string;
  readonly port: number;
  readonly host: string;
  readonly server: Server;
  /** Base URL of a logical deployment: `${url}/deployments/<name>` (append `/v1` for the OpenAI SDK). */
  deploymentUrl(name: string): string;
  /** The current profile. */
  profile(): MockProfile;
  /** Replaces the profile (object, preset name or `{ preset }`); throws MockProfileError. */
  setProfile(input: unknown): MockProfile;
  /** Merges a patch `{ default?, models?, deployments? }`; `null` removes an override. */
  patchProfile(patch: unknown): MockProfile;
  stats(): MockStats;
  resetStats(): void;
  /** Back to the startup profile, a re-seeded random source (when seeded), zeroed counters, no stored responses or cache. */
  reset(): void;
  /** Stops listening and destroys every connection (hanging requests included). Idempotent. */
  close(): Promise<void>;
}

function splitPath(url: string): { path: string; deployment: string | undefined } | undefined {
  const query = url.indexOf('?');
  let path = query < 0 ? url : url.slice(0, query);
  let deployment: string | undefined;
  if (path.startsWith(DEPLOYMENT_PREFIX)) {
    const slash = path.indexOf('/', DEPLOYMENT_PREFIX.length);
    const end = slash < 0 ? path.length : slash;
    try {
      deployment = decodeURIComponent(path.slice(DEPLOYMENT_PREFIX.length, end));
    } catch {
      return undefined; // malformed percent-encoding: the caller answers 400
    }
    path = slash < 0 ? '/' : path.slice(slash);
  }
  return { path, deployment };
}

/**
 * Starts a mock provider.
 *
 * @example
 * const mock = await startMockProvider({ profile: { deployments: { primary: { errors: { '503': 1 } } } } });
 * const openai = new OpenAI({ baseURL: `${mock.deploymentUrl('primary')}/v1`, apiKey: 'test' });
 * // ... mock.stats().byDeployment.primary.byStatus['503']
 * await mock.close();
 */
export async function startMockProvider(options: MockProviderOptions = {}): Promise<MockProvider> {
  const initialProfile = parseMockProfile(options.profile ?? 'healthy');
  const seed = options.seed ?? DEFAULT_MOCK_SEED;
  const freshRandom = () => options.random ?? seededRandom(seed);
  const models = [...new Set([...(options.models ?? DEFAULT_MOCK_MODELS), ...Object.keys(initialProfile.models)])];
  const engine = new MockEngine({ profile: initialProfile, random: freshRandom(), clock: options.clock ?? systemClock, models });

  const control = {
    profile: () => engine.profile,
    setProfile: (input: unknown) => (engine.profile = parseMockProfile(input)),
    patchProfile: (patch: unknown) => (engine.profile = patchMockProfile(engine.profile, patch)),
    stats: () => engine.stats.snapshot(),
    resetStats: () => engine.stats.reset(),
    reset: () => {
      engine.profile = initialProfile;
      engine.random = freshRandom();
      engine.stats.reset();
      engine.state.clear();
    },
  };

  const server = createServer({ keepAliveTimeout: MOCK_KEEP_ALIVE_TIMEOUT_MS, requestTimeout: 0 }, (req: IncomingMessage, res: ServerResponse) => {
    const url = req.url ?? '/';
    const split = splitPath(url);
    if (split === undefined) return sendControlError(res, 400, `The deployment name in ${JSON.stringify(url.slice(0, 200))} is not valid percent-encoding.`);
    if (url.startsWith(CONTROL_PREFIX)) return handleControl(control, req, res, split.path);
    engine.handle(req, res, split.path, split.deployment);
  });
  server.headersTimeout = MOCK_KEEP_ALIVE_TIMEOUT_MS + 1000;

  const host = options.host ?? DEFAULT_MOCK_HOST;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  return {
    url,
    port,
    host,
    server,
    deploymentUrl: (name: string) => `${url}${DEPLOYMENT_PREFIX}${encodeURIComponent(name)}`,
    ...control,
    close: () => (closing ??= new Promise<void>((resolve, reject) => {
      server.close((error) => (error ? reject(error) : resolve()));
      server.closeAllConnections();
    })),
  };
}
