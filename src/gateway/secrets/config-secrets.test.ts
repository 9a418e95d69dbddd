import { describe, expect, it } from 'vitest';
import { parseConfig } from '../config/load.js';
import { secretsOfConfig } from './config-secrets.js';

const BASE = `
providers:
  a: { type: openai, baseUrl: "https://api.example.com/v1", apiKey: "\${KEY}", headers: { x-custom-token: "Bearer \${TOKEN}", x-trace: "visible-value" } }
modelGroups: { g: { deployments: [ { id: d, provider: a, model: m } ] } }
routes: [ { name: r, chain: [g] } ]
`;

describe('secretsOfConfig', () => {
  it('finds provider keys, credential headers, Redis passwords and webhook URLs; not base URLs', () => {
    const config = parseConfig(`${BASE}
state: { redis: { url: "redis://user:\${REDIS_PASSWORD}@redis:6379" } }
alerts: { sinks: [ { type: slack, url: "\${SLACK_URL}" } ] }
`, { env: { KEY: 'sk-provider-key-123', TOKEN: 'tok-123456789', REDIS_PASSWORD: 'redis-pass-123', SLACK_URL: 'https://hooks.slack.com/services/T000/B000/XXXXSECRET' } });
    const secrets = secretsOfConfig(config);
    expect(secrets).toEqual(expect.arrayContaining([
      'sk-provider-key-123', 'Bearer tok-123456789', 'tok-123456789', 'redis-pass-123', 'redis://user:redis-pass-123@redis:6379',
      'https://hooks.slack.com/services/T000/B000/XXXXSECRET',
    ]));
    expect(secrets).not.toContain('visible-value');
    expect(secrets).not.toContain('https://api.example.com/v1');
  });

  it('redacts the state.redis passwords (server and sentinels) given as their own fields', () => {
    const env = { KEY: 'k', TOKEN: 't', REDIS_PASSWORD: 'redis-field-pass-1', SENTINEL_PASSWORD: 'sentinel-pass-2' };
    const single = secretsOfConfig(parseConfig(`${BASE}state: { redis: { url: "redis://redis:6379", password: "\${REDIS_PASSWORD}" } }\n`, { env }));
    expect(single).toContain('redis-field-pass-1');
    const sentinel = secretsOfConfig(parseConfig(`${BASE}state: { redis: { sentinel: { masterName: m, nodes: ["s:26379"], password: "\${SENTINEL_PASSWORD}" }, password: "\${REDIS_PASSWORD}" } }\n`, { env }));
    expect(sentinel).toEqual(expect.arrayContaining(['redis-field-pass-1', 'sentinel-pass-2']));
  });
});
