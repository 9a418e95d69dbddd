import { describe, expect, it } from 'vitest';
import { parseConfig } from './load.js';
import { ConfigError } from './problems.js';

const HEAD = `
providers:
  openai: { type: openai, baseUrl: "https://api.openai.com/v1", apiKey: "\${OPENAI_API_KEY}" }
modelGroups:
  gpt4: { deployments: [ { id: oai-gpt4, provider: openai, model: gpt-4o } ] }
routes:
  - { name: gpt-4, chain: [gpt4] }
`;
const env = { OPENAI_API_KEY: 'sk-test', REDIS_PASSWORD: 'hunter2-redis', EMPTY: '' };
const withState = (state: string) => `${HEAD}state:\n${state}`;

function problemsOf(text: string): string[] {
  try {
    parseConfig(text, { env });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems.map((p) => `${p.path}: ${p.message}`);
  }
  throw new Error('expected a ConfigError');
}

describe('state.redis: how operators run Redis', () => {
  it('takes a Sentinel set with an ACL user, a password from the environment, and TLS files', () => {
    const config = parseConfig(withState(`  redis:
    sentinel: { masterName: bulwark, nodes: ["sentinel-0:26379", "sentinel-1:26379", "[::1]:26379"] }
    username: bulwark
    password: \${REDIS_PASSWORD}
    tls: { caFile: /etc/redis-tls/ca.crt }
`), { env });
    expect(config.state.redis).toMatchObject({
      sentinel: { masterName: 'bulwark', nodes: ['sentinel-0:26379', 'sentinel-1:26379', '[::1]:26379'], tls: false },
      username: 'bulwark', password: 'hunter2-redis', tls: { caFile: '/etc/redis-tls/ca.crt' }, keyPrefix: 'bulwark:',
    });
  });

  it('takes a Cluster; an empty ${VAR:-} password means none', () => {
    const config = parseConfig(withState(`  redis:
    cluster: { nodes: ["redis-0:6379", "redis-1:6379"] }
    password: \${EMPTY:-}
`), { env });
    expect(config.state.redis?.cluster?.nodes).toEqual(['redis-0:6379', 'redis-1:6379']);
    expect(config.state.redis?.password).toBeUndefined();
  });

  it('refuses none or several of url/sentinel/cluster, TLS files with redis://, sentinel.tls without tls, a bad node, a braced prefix', () => {
    expect(problemsOf(withState('  redis: { keyPrefix: "x:" }\n'))).toEqual(['state.redis: exactly one of url, sentinel or cluster must be set (got none)']);
    expect(problemsOf(withState('  redis: { url: "redis://r:6379", cluster: { nodes: ["r:6379"] } }\n'))).toEqual(['state.redis: exactly one of url, sentinel or cluster must be set (got url and cluster)']);
    expect(problemsOf(withState('  redis: { url: "redis://r:6379", tls: { caFile: /ca.crt } }\n'))).toEqual(['state.redis.tls: tls is set but url is redis:// (use rediss:// for TLS)']);
    expect(problemsOf(withState('  redis: { sentinel: { masterName: m, nodes: ["s:26379"], tls: true } }\n'))).toEqual(['state.redis.sentinel.tls: needs the tls section (its CA is used for the sentinels too)']);
    expect(problemsOf(withState('  redis: { cluster: { nodes: ["redis-0"] } }\n'))[0]).toMatch(/^state\.redis\.cluster\.nodes\[0\]: must be "host:port"/);
    expect(problemsOf(withState('  redis: { url: "redis://r:6379", keyPrefix: "{app}:" }\n'))[0]).toMatch(/^state\.redis\.keyPrefix: must not contain \{ or \}/);
    expect(problemsOf(withState('  redis: { url: "rediss://r:6380", tls: { certFile: /c.crt } }\n'))).toEqual(['state.redis.tls: certFile and keyFile go together']);
  });

  it('never echoes a password or a URL with credentials in a problem', () => {
    const problems = problemsOf(withState('  redis: { url: "http://user:topsecret@r:6379", password: "${REDIS_PASSWORD}", cluster: { nodes: ["r:1"] } }\n'));
    expect(problems.join('\n')).not.toMatch(/topsecret|hunter2/);
  });
});
