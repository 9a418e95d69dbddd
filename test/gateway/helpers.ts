import { parseConfig } from '../../src/gateway/config/load.js';
import { Gateway } from '../../src/gateway/gateway.js';
import { createLogger } from '../../src/gateway/logger.js';
import type { SecretRedactor } from '../../src/gateway/secrets/secret-redactor.js';
import { defaultRouterFactory } from '../../src/gateway/router-factory.js';
import type { Logger } from 'pino';
import { Writable } from 'node:stream';

/**
 * A gateway config for tests: an embedded mock `m` with logical deployments `primary` and
 * `secondary`, OpenAI and Anthropic routes primary → secondary → cache → default. Retries are off
 * (1 attempt) so each failure shows at once; `extra` is appended YAML.
 */
export function testConfigYaml(extra = ''): string {
  return `
server: { port: 0 }
logging: { level: warn }
mocks:
  m: { profile: healthy }
providers:
  p-openai: { type: openai, mock: { name: m, deployment: primary } }
  s-openai: { type: openai, mock: { name: m, deployment: secondary } }
  p-anthropic: { type: anthropic, mock: { name: m, deployment: primary } }
  s-anthropic: { type: anthropic, mock: { name: m, deployment: secondary } }
modelGroups:
  gpt4: { deployments: [ { id: primary-gpt4, provider: p-openai, model: gpt-4o } ] }
  gpt35: { deployments: [ { id: secondary-gpt35, provider: s-openai, model: gpt-4o-mini } ] }
  sonnet: { deployments: [ { id: primary-sonnet, provider: p-anthropic, model: claude-sonnet-4-5 } ] }
  haiku: { deployments: [ { id: secondary-haiku, provider: s-anthropic, model: claude-haiku-4-5 } ] }
routes:
  - { name: gpt-4, chain: [gpt4, gpt35], defaultResponse: "Sorry, try again later." }
  - { name: claude-sonnet, chain: [sonnet, haiku], defaultResponse: "Sorry, try again later." }
policies:
  retry: { maxAttempts: 1 }
  breaker: { failureThreshold: 1000 }
${extra}`;
}

/** A logger whose lines are kept in memory (for secret-leak assertions). */
export function memoryLogger(level = 'debug', redactor?: SecretRedactor): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  return { logger: createLogger(level, sink, redactor), lines };
}

/** Starts a gateway (and its embedded mock) in-process on an ephemeral port. */
export async function startTestGateway(yaml = testConfigYaml(), options: { logger?: Logger; env?: NodeJS.ProcessEnv } = {}): Promise<Gateway> {
  const config = parseConfig(yaml, { source: 'test.yaml', env: options.env ?? {} });
  return Gateway.start({ config, createRouter: defaultRouterFactory, logger: options.logger ?? memoryLogger('warn').logger });
}

/** Sets the embedded mock's profile for both logical deployments. */
export function setFaults(gateway: Gateway, deployments: { primary?: object; secondary?: object }): void {
  gateway.mock('m')!.setProfile({ deployments });
}

export const DOWN = { errors: { '503': 1 } };
