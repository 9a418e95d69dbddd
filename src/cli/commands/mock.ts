import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { parse as parseYaml } from 'yaml';
import type { Command } from '../command.js';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE } from '../command.js';
import { DEFAULT_MOCK_HOST, DEFAULT_MOCK_SEED, startMockProvider } from '../../chaos/mock/server.js';
import { isMockPreset, MockProfileError, parseMockProfile, type MockProfile } from '../../chaos/mock/profile.js';
import { MOCK_PRESETS } from '../../chaos/mock/presets.js';

/** Default port of `bulwark mock`. */
export const DEFAULT_MOCK_CLI_PORT = 4010;

const USAGE = `Usage: bulwark mock [--port ${DEFAULT_MOCK_CLI_PORT}] [--host ${DEFAULT_MOCK_HOST}] [--profile FILE|PRESET] [--seed N]

Runs a mock LLM provider speaking the OpenAI and Anthropic APIs, with injectable faults.

  POST /v1/chat/completions    OpenAI Chat Completions (stream: true → SSE, ends with [DONE])
  POST /v1/messages            Anthropic Messages (stream: true → message_start … message_stop)
  GET  /v1/models              model list (Anthropic shape when anthropic-version is sent)
  /deployments/<name>/v1/...   the same, as a logically separate deployment <name>
  /_mock/profile  GET | PUT (profile, {"preset":"down"} or "down") | PATCH (merge; null removes)
  /_mock/stats    GET;  POST /_mock/stats/reset;  POST /_mock/reset;  GET /_mock/presets

Options:
  --port N         port to listen on (default ${DEFAULT_MOCK_CLI_PORT}; 0 = any free port)
  --host HOST      address to bind (default ${DEFAULT_MOCK_HOST})
  --profile P      a preset (${Object.keys(MOCK_PRESETS).join(', ')}) or a YAML/JSON file
                   (default healthy)
  --seed N         seed of the random source for faults and latency (default ${DEFAULT_MOCK_SEED})

Answers are deterministic: "mock answer from <model>[ via <deployment>]: <hash of the last user
message>", or the text after "echo:"; a tool call when tools are given and the message says "use tool".

Exit codes: 0 stopped by a signal, 1 cannot listen (port taken), 2 usage or profile error.`;

async function loadProfile(value: string): Promise<MockProfile> {
  if (isMockPreset(value)) return parseMockProfile(value);
  let text: string;
  try {
    text = await readFile(value, 'utf8');
  } catch {
    throw new MockProfileError([`--profile: ${JSON.stringify(value)} is neither a preset (${Object.keys(MOCK_PRESETS).join(', ')}) nor a readable file`]);
  }
  let input: unknown;
  try {
    input = parseYaml(text);
  } catch (error) {
    throw new MockProfileError([`${value}: not valid YAML/JSON (${(error as Error).message.split('\n')[0]})`]);
  }
  return parseMockProfile(input ?? {});
}

function integerOption(name: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) throw new Error(`--${name}: expected an integer ${min}..${max} (got ${JSON.stringify(raw)})`);
  return value;
}

const mock: Command = {
  name: 'mock',
  summary: 'Run a mock OpenAI/Anthropic provider with injectable faults (default port 4010)',
  usage: USAGE,
  async run(args) {
    let options;
    try {
      const { values } = parseArgs({
        args,
        options: { port: { type: 'string' }, host: { type: 'string' }, profile: { type: 'string' }, seed: { type: 'string' } },
        strict: true,
        allowPositionals: false,
      });
      options = {
        port: integerOption('port', values.port, DEFAULT_MOCK_CLI_PORT, 0, 65535),
        host: values.host ?? DEFAULT_MOCK_HOST,
        seed: integerOption('seed', values.seed, DEFAULT_MOCK_SEED, 0, 2 ** 32 - 1),
        profileName: values.profile ?? 'healthy',
        profile: await loadProfile(values.profile ?? 'healthy'),
      };
    } catch (error) {
      console.error(`bulwark mock: ${(error as Error).message}\n\n${USAGE}`);
      return EXIT_USAGE;
    }
    let provider;
    try {
      provider = await startMockProvider({ port: options.port, host: options.host, seed: options.seed, profile: options.profile });
    } catch (error) {
      console.error(`bulwark mock: cannot listen on ${options.host}:${options.port}: ${(error as Error).message}`);
      return EXIT_FAILED;
    }
    console.log(`bulwark mock listening on ${provider.url} (profile ${options.profileName}, seed ${options.seed})`);
    await new Promise<void>((resolve) => {
      const stop = () => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        resolve();
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    await provider.close();
    return EXIT_OK;
  },
};
export default mock;
