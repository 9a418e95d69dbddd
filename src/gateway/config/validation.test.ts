import { describe, expect, it } from 'vitest';
import { parseConfig } from './load.js';
import { ConfigError } from './problems.js';

// One validation for `config check` and `serve`: each row is a config that `config check` passed
// and `serve` then refused with an internal name (or silently ran with), or a rule of issue #13
// (defect 10). Expected: the problem at the config path, in the `must be …, got …` format.

const BASE = `
providers:
  p: { type: openai, baseUrl: "https://api.openai.com/v1", apiKey: "\${OPENAI_API_KEY:-}" }
modelGroups:
  chat: { deployments: [ { id: a, provider: p, model: gpt-4o }, { id: b, provider: p, model: gpt-4o-mini } ] }
  small: { deployments: [ { id: c, provider: p, model: gpt-4o-mini } ] }
routes:
  - { name: gpt-4, chain: [chat, small] }
`;
const DIGEST_A = 'a'.repeat(64);
/** A config with gateway keys: `extra` goes inside `auth`. */
const keyed = (extra = '') => `${BASE}server: { host: 0.0.0.0 }\nauth:\n  keys: [ { tenant: acme, sha256: "${DIGEST_A}" } ]\n${extra}`;
const DIGEST_B = 'b'.repeat(64);

function problemsOf(text: string, env: NodeJS.ProcessEnv = {}): string[] {
  try {
    parseConfig(text, { env });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return error.problems.map((p) => `${p.path}: ${p.message}`);
  }
  return [];
}

const ROWS: Array<[string, string, string]> = [
  // What serve refused with internal names (RouterConfig.CircuitBreaker.openMs…, node's headersTimeout).
  ['breaker openMs 0', `${BASE}policies: { breaker: { openMs: 0 } }\n`, 'policies.breaker.openMs: must be at least 1 ms and at most 2147483647 ms (24.8 days, the longest timer), got 0'],
  ['breaker openMs 30d (longer than a timer)', `${BASE}policies: { breaker: { openMs: 30d } }\n`, 'policies.breaker.openMs: must be at least 1 ms and at most 2147483647 ms (24.8 days, the longest timer), got "30d"'],
  ['a deployment id "cache"', BASE.replace('id: b,', 'id: cache,'), 'modelGroups.chat.deployments[1].id: must not be cache, default or none (reserved: x-bulwark-served-by values), got "cache"'],
  ['a deployment id "default"', BASE.replace('id: c,', 'id: default,'), 'modelGroups.small.deployments[0].id: must not be cache, default or none (reserved: x-bulwark-served-by values), got "default"'],
  ['headers timeout above request timeout', `${BASE}server: { headersTimeoutMs: 60s, requestTimeoutMs: 30s }\n`, 'server.headersTimeoutMs: must be at most requestTimeoutMs (30000 ms), got 60000'],
  ['alerts evaluated every 0 ms', `${BASE}alerts: { evaluateEvery: 0 }\n`, 'alerts.evaluateEvery: must be at least 100 ms (a faster tick is a busy loop) and at most 2147483647 ms (24.8 days, the longest timer), got 0'],
  ['alerts repeated every 0 ms', `${BASE}alerts: { repeatInterval: 0 }\n`, 'alerts.repeatInterval: must be at least 1 ms'],
  ['probes every 0 ms', `${BASE}health: { probeIntervalMs: 0 }\n`, 'health.probeIntervalMs: must be at least 100 ms'],
  ['a probe timeout of 0', `${BASE}health: { probeTimeoutMs: 0 }\n`, 'health.probeTimeoutMs: must be at least 1 ms'],
  ['a latency threshold of 0', `${BASE}slo: { latencyThresholdMs: 0 }\n`, 'slo.latencyThresholdMs: must be at least 1 ms'],
  ['an attempt timeout of 0', `${BASE}policies: { attemptTimeoutMs: 0 }\n`, 'policies.attemptTimeoutMs: must be at least 1 ms'],
  ['a total timeout of 0', BASE.replace('chain: [chat, small] }', 'chain: [chat, small], totalTimeoutMs: 0 }'), 'routes[0].totalTimeoutMs: must be at least 1 ms'],
  ['a Redis command timeout of 0', `${BASE}state: { redis: { url: "redis://127.0.0.1:6379", commandTimeoutMs: 0 } }\n`, 'state.redis.commandTimeoutMs: must be at least 1 ms'],
  ['an ejection shorter at most than at first', BASE.replace('small: {', 'small: { ejection: { baseEjectionMs: 60s, maxEjectionMs: 1s },'), 'modelGroups.small.ejection.maxEjectionMs: must be a finite number ≥ baseEjectionMs (60000), got 1000'],
  // What serve ran with, silently.
  ['shedding min above max (gateway)', `${BASE}loadShedding: { gateway: { minLimit: 100, maxLimit: 10 } }\n`, 'loadShedding.gateway.minLimit: must be at most maxLimit (10), got 100'],
  ['shedding min above max (deployment)', `${BASE}loadShedding: { deployment: { minLimit: 2000 } }\n`, 'loadShedding.deployment.minLimit: must be at most maxLimit (1000), got 2000'],
  ['requestTimeoutMs 0 (would switch off the slow-body cut)', `${BASE}server: { requestTimeoutMs: 0 }\n`, 'server.requestTimeoutMs: must be at least 1 ms (0 would switch off the slow-body cut)'],
  ['headersTimeoutMs 0', `${BASE}server: { headersTimeoutMs: 0 }\n`, 'server.headersTimeoutMs: must be at least 1 ms (0 would switch off the slow-headers cut)'],
  ['keepAliveTimeoutMs 0', `${BASE}server: { keepAliveTimeoutMs: 0 }\n`, 'server.keepAliveTimeoutMs: must be at least 1 ms (0 would keep idle connections open forever)'],
  ['a chain that repeats a group', BASE.replace('chain: [chat, small]', 'chain: [chat, small, chat]'), "routes[0].chain[2]: must name each model group once (a chain tries each group once), got 'chat' again (first at chain[0])"],
  // Absurd sizes.
  ['a body limit of 0', `${BASE}server: { bodyLimit: 0 }\n`, 'server.bodyLimit: must be between 1 KiB and 256 MiB, got 0'],
  ['a body limit of 1 GiB', `${BASE}server: { bodyLimit: 1GiB }\n`, 'server.bodyLimit: must be between 1 KiB and 256 MiB, got "1GiB"'],
  ['a cache budget of 64 GiB', `${BASE}cache: { maxBytes: 64GiB }\n`, 'cache.maxBytes: must be between 1 byte and 4 GiB, got "64GiB"'],
  ['a billion cache entries', `${BASE}cache: { maxEntries: 1000000000 }\n`, 'cache.maxEntries: must be at most 10000000, got 1000000000'],
  ['an answer cap of 10 bytes', BASE.replace('type: openai,', 'type: openai, maxAnswerBytes: 10,'), 'providers.p.maxAnswerBytes: must be between 1 KiB and 256 MiB, got 10'],
  ['an answer cap of 2 GiB', BASE.replace('type: openai,', 'type: openai, maxAnswerBytes: 2GiB,'), 'providers.p.maxAnswerBytes: must be between 1 KiB and 256 MiB, got "2GiB"'],
  // Typos in ops sections (they were loose objects: the default stayed in force without a word).
  ['a typo in alerts', `${BASE}alerts: { evaluteEvery: 5s }\n`, "alerts: unknown field 'evaluteEvery'"],
  ['a typo in alerts.rules', `${BASE}alerts: { rules: { breakerOpen: false } }\n`, "alerts.rules: unknown field 'breakerOpen'"],
  ['a typo in a sink', `${BASE}alerts: { sinks: [ { type: webhook, url: "https://alerts.example.com/hook", header: {} } ] }\n`, "alerts.sinks[0]: unknown field 'header'"],
  ['a webhook sink without a URL', `${BASE}alerts: { sinks: [ { type: webhook } ] }\n`, 'alerts.sinks[0].url: is required (expected a string)'],
  ['a typo in slo', `${BASE}slo: { availability: 99.9 }\n`, "slo: unknown field 'availability'"],
  ['a typo in health', `${BASE}health: { probe: true }\n`, "health: unknown field 'probe'"],
  // Secrets written into the file.
  ['a literal provider key', BASE.replace('"${OPENAI_API_KEY:-}"', 'sk-live-123'), 'providers.p.apiKey: must be an environment reference such as "${OPENAI_API_KEY}" (secrets never live in the config file), got a literal value'],
  ['a literal provider key as a fallback', BASE.replace('"${OPENAI_API_KEY:-}"', '"${OPENAI_API_KEY:-sk-live-123}"'), 'providers.p.apiKey: must be an environment reference such as "${OPENAI_API_KEY}"'],
  ['a literal credential header', BASE.replace('type: openai,', 'type: openai, headers: { api-key: abc123 },'), 'providers.p.headers.api-key: must be an environment reference'],
  ['a literal Google service account', BASE.replace('  p: {', '  v: { type: vertex, project: x, region: global, googleCredentials: { serviceAccountJson: "{}" } }\n  p: {'), 'providers.v.googleCredentials.serviceAccountJson: must be an environment reference'],
  ['a literal Slack webhook URL', `${BASE}alerts: { sinks: [ { type: slack, url: "https://hooks.slack.com/services/T0/B0/secret" } ] }\n`, 'alerts.sinks[0].url: must be an environment reference such as "${SLACK_WEBHOOK_URL}"'],
  ['a literal webhook token header', `${BASE}alerts: { sinks: [ { type: webhook, url: "https://alerts.example.com/hook", headers: { authorization: "Bearer t0k3n" } } ] }\n`, 'alerts.sinks[0].headers.authorization: must be an environment reference'],
  ['a literal Redis password', `${BASE}state: { redis: { url: "redis://redis:6379", password: hunter2 } }\n`, 'state.redis.password: must be an environment reference such as "${REDIS_PASSWORD}"'],
  ['a Redis URL with a literal password', `${BASE}state: { redis: { url: "redis://:hunter2@redis:6379" } }\n`, 'state.redis.url: must not hold a literal password'],
  ['a literal Sentinel password', `${BASE}state: { redis: { sentinel: { masterName: m, nodes: ["s:26379"], password: hunter2 } } }\n`, 'state.redis.sentinel.password: must be an environment reference'],
  ['a literal metrics-export token', `${BASE}metricsExport: { headers: { authorization: "Bearer abc123" } }\n`, 'metricsExport.headers.authorization: must be an environment reference'],
  ['a metrics export every 0 ms', `${BASE}metricsExport: { interval: 0 }\n`, 'metricsExport.interval: must be at least 1000 ms (an export is a request to the collector)'],
  ['a literal tracing token', `${BASE}tracing: { headers: { x-api-key: abc123 } }\n`, 'tracing.headers.x-api-key: must be an environment reference'],
  // Keys.
  ['an admin key equal to a tenant key', keyed(`  adminKeySha256: "${DIGEST_A}"\n`), "auth.adminKeySha256: must differ from every gateway key, got the key of auth.keys[0] (tenant 'acme'): that tenant could call /admin"],
  ['two tenants sharing a key', keyed().replace(' ]\n', `, { tenant: globex, sha256: "${DIGEST_A}" } ]\n`), "auth.keys[1].sha256: must be a key of its own, got the same key as auth.keys[0] (tenant 'acme')"],
];

describe('config validation: one set of rules for config check and serve, by path', () => {
  it.each(ROWS)('%s', (_what, text, expected) => {
    const problems = problemsOf(text);
    expect(problems.find((p) => p.startsWith(expected)), problems.join('\n')).toBeDefined();
  });

  it('a literal AWS secret access key', () => {
    const text = BASE.replace('  p: {', '  aws: { type: bedrock, region: us-east-1, awsCredentials: { accessKeyId: AKIDX, secretAccessKey: wJalrXUtnFEMI } }\n  p: {');
    expect(problemsOf(text)).toContain('providers.aws.awsCredentials.secretAccessKey: must be an environment reference such as "${AWS_SECRET_ACCESS_KEY}" (secrets never live in the config file), got a literal value');
    expect(problemsOf(text).join('\n')).not.toContain('wJalrXUtnFEMI');
  });

  it('the same secrets from the environment pass, and keys of their own pass', () => {
    const env = { KEY: 'sk-1', SLACK: 'https://hooks.slack.com/services/T0/B0/x', REDIS_PASSWORD: 'pw', AWS_SECRET: 's' };
    expect(problemsOf(`${BASE.replace('"${OPENAI_API_KEY:-}"', '"${KEY}"').replace('  p: {', '  aws: { type: bedrock, region: us-east-1, awsCredentials: { accessKeyId: AKIDX, secretAccessKey: "${AWS_SECRET}" } }\n  p: {')}
alerts: { sinks: [ { type: slack, url: "\${SLACK}" }, { type: webhook, url: "https://alerts.example.com/hook", headers: { authorization: "Bearer \${KEY}" } } ] }
state: { redis: { url: "redis://:\${REDIS_PASSWORD}@redis:6379" } }
`, env)).toEqual([]);
    expect(problemsOf(keyed(`  adminKeySha256: "${DIGEST_B}"\n`))).toEqual([]);
  });

  it('a YAML alias bomb (billion laughs) is a clear error, not a stack trace', () => {
    const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 9; i++) {
      const prev = String.fromCharCode(96 + i);
      const name = String.fromCharCode(97 + i);
      levels.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(',')}]`);
    }
    expect(problemsOf(`${levels.join('\n')}\n${BASE}`)).toEqual(['(yaml): must expand aliases (*name) at most 100 times, got more: refused as a YAML alias bomb ("billion laughs")']);
    // A few aliases, as people use them for shared policies, are fine.
    expect(problemsOf(`x-policies: &p { retry: { maxAttempts: 2 } }\n${BASE}policies: *p\n`)).toEqual(["(root): unknown field 'x-policies'"]);
  });

  describe('numeric and boolean fields take ${VAR}: substituted, coerced, then checked', () => {
    it('coerces where the field takes a number (or a duration) or a boolean, and only there', () => {
      const text = `${BASE}server: { port: "\${PORT}", requestTimeoutMs: "\${REQUEST_TIMEOUT}" }\ntracing: { enabled: "\${TRACING}" }\nloadShedding: { gateway: { maxLimit: "\${MAX}" } }\n`;
      const config = parseConfig(text, { env: { PORT: '8080', REQUEST_TIMEOUT: '45000', TRACING: 'false', MAX: '300' } });
      expect(config.server).toMatchObject({ port: 8080, requestTimeoutMs: 45_000 });
      expect(config.tracing.enabled).toBe(false);
      expect(config.loadShedding.gateway.maxLimit).toBe(300);
      // A string field keeps digits as a string (an API key may be all digits).
      const digits = parseConfig(BASE.replace('"${OPENAI_API_KEY:-}"', '"${OPENAI_API_KEY}"'), { env: { OPENAI_API_KEY: '12345' } });
      expect(digits.providers.p.apiKey).toBe('12345');
    });

    it('checks the coerced value and names the reference, never its value', () => {
      const text = `${BASE}server: { port: "\${PORT}" }\n`;
      expect(problemsOf(text, { PORT: '70000' })).toEqual(['server.port: must be at most 65535, got the value of ${PORT}']);
      expect(problemsOf(text, { PORT: 'eighty' })).toEqual(['server.port: must be a number, got the value of ${PORT}']);
      expect(problemsOf(`${BASE}policies: { breaker: { openMs: "\${OPEN}" } }\n`, { OPEN: '0' })).toEqual([
        'policies.breaker.openMs: must be at least 1 ms and at most 2147483647 ms (24.8 days, the longest timer), got the value of ${OPEN}',
      ]);
    });
  });

  it('never echoes what a ${VAR} held, whichever rule refuses it', () => {
    const env = { URL: 'ftp://secret-host.internal', DIGEST: 'not-a-digest-secret-value', ID: 'cache', KEY_A: 'a'.repeat(64) };
    const text = `${BASE.replace('"https://api.openai.com/v1"', '"${URL}"').replace('id: b,', 'id: "${ID}",')}server: { host: 0.0.0.0 }
auth: { keys: [ { tenant: acme, sha256: "\${KEY_A}" }, { tenant: globex, sha256: "\${DIGEST}" } ], adminKeySha256: "\${KEY_A}" }
`;
    const problems = problemsOf(text, env);
    expect(problems).toEqual(expect.arrayContaining([
      'providers.p.baseUrl: must be an absolute http(s) URL, got the value of ${URL}',
      expect.stringMatching(/^auth\.keys\[1\]\.sha256: must be a sha256 hex digest .*, got the value of \$\{DIGEST\}$/),
      'modelGroups.chat.deployments[1].id: must not be cache, default or none (reserved: x-bulwark-served-by values), got the value of ${ID}',
      expect.stringMatching(/^auth\.adminKeySha256: must differ from every gateway key/),
    ]));
    for (const value of [env.URL, env.DIGEST, env.KEY_A]) expect(problems.join('\n')).not.toContain(value);
  });
});
