import { describe, expect, it } from 'vitest';
import { parseConfig } from '../config/load.js';
import { secretsOfConfig } from './config-secrets.js';

describe('secretsOfConfig', () => {
  it('finds provider keys, credential headers, Redis passwords and webhook URLs; not base URLs', () => {
    const config = parseConfig(`
providers:
  a: { type: openai, baseUrl: "https://api.example.com/v1", apiKey: "\${KEY}", headers: { x-custom-token: "Bearer tok-123456789", x-trace: "visible-value" } }
modelGroups: { g: { deployments: [ { id: d, provider: a, model: m } ] } }
routes: [ { name: r, chain: [g] } ]
state: { redis: { url: "redis://user:redis-pass-123@redis:6379" } }
alerts: { sinks: [ { type: slack, url: "https://hooks.slack.com/services/T000/B000/XXXXSECRET" } ] }
`, { env: { KEY: 'sk-provider-key-123' } });
    const secrets = secretsOfConfig(config);
    expect(secrets).toEqual(expect.arrayContaining([
      'sk-provider-key-123', 'Bearer tok-123456789', 'tok-123456789', 'redis-pass-123', 'redis://user:redis-pass-123@redis:6379',
      'https://hooks.slack.com/services/T000/B000/XXXXSECRET',
    ]));
    expect(secrets).not.toContain('visible-value');
    expect(secrets).not.toContain('https://api.example.com/v1');
  });
});
