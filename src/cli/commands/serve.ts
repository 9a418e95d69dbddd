import { fileURLToPath } from 'node:url';
import type { Command } from '../command.js';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE } from '../command.js';
import { DEFAULT_CONFIG_PATH, parseServeArgs, ServeUsageError } from '../../gateway/cli/serve-args.js';
import { runServe } from '../../gateway/cli/run-serve.js';

const USAGE = `Usage: bulwark serve [--config FILE] [--port N] [--host ADDR]

Runs the gateway: an OpenAI- and Anthropic-compatible HTTP server on top of the Bulwark router.

Options:
  --config FILE   YAML (or JSON) config. Default: $BULWARK_CONFIG, else the embedded default
                  (${fileURLToPath(new URL('../../../config/default.yaml', import.meta.url)).replace(process.cwd() + '/', '')}: the built-in mock provider,
                  or the real providers when OPENAI_API_KEY / ANTHROPIC_API_KEY are set).
  --port N        Port (default: $PORT, else server.port, else 4000; 0 = any free port).
  --host ADDR     Bind address (default: server.host, else 127.0.0.1). Anything but loopback
                  needs gateway keys (auth.keys).

Endpoints: POST /v1/chat/completions, POST /v1/messages, GET /v1/models, GET /livez, GET /readyz,
GET /health, GET /metrics, GET /dashboard, /admin/* (admin key when keys are configured).
Signals: SIGHUP reloads the config (an invalid one is rejected and the old one kept);
SIGTERM/SIGINT drain requests in flight (up to server.shutdownGraceMs) and exit 0.
Exit codes: 0 stopped cleanly, 1 failed to start, 2 usage or config error.`;

const serve: Command = {
  name: 'serve',
  summary: 'Run the gateway (OpenAI- and Anthropic-compatible resilient proxy)',
  usage: USAGE,
  async run(args) {
    let options;
    try {
      options = parseServeArgs(args, process.env);
    } catch (error) {
      if (error instanceof ServeUsageError) {
        console.error(`bulwark serve: ${error.message}\n\n${USAGE}`);
        return EXIT_USAGE;
      }
      throw error;
    }
    const code = await runServe({ ...options, configPath: options.configPath ?? DEFAULT_CONFIG_PATH });
    return code === 0 ? EXIT_OK : code === 2 ? EXIT_USAGE : EXIT_FAILED;
  },
};
export default serve;
