import { ConfigError } from '../config/problems.js';
import { loadConfigFile } from '../config/load.js';
import { Gateway, UnsafeBindError } from '../gateway.js';
import { createLogger } from '../logger.js';
import { secretsOfConfig } from '../secrets/config-secrets.js';
import { SecretRedactor } from '../secrets/secret-redactor.js';
import { defaultRouterFactory } from '../router-factory.js';
import { paidProviderKeysSet, paidProvidersWarning } from './paid-providers.js';
import type { ServeOptions } from './serve-args.js';

/**
 * `bulwark serve`: loads the config (exit 2 listing every problem when it is invalid), starts the
 * gateway, prints a banner, reloads on SIGHUP and drains on SIGTERM/SIGINT. Resolves with the
 * exit code once the gateway has stopped.
 */
export async function runServe(options: ServeOptions & { configPath: string }): Promise<number> {
  let config;
  try {
    config = await loadConfigFile(options.configPath);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`bulwark serve: ${error.message}`);
      return 2;
    }
    throw error;
  }
  const redactor = new SecretRedactor(secretsOfConfig(config));
  const logger = createLogger(config.logging.level, undefined, redactor);
  let gateway: Gateway;
  try {
    gateway = await Gateway.start({ config, createRouter: defaultRouterFactory, port: options.port, host: options.host, logger, redactor });
  } catch (error) {
    if (error instanceof UnsafeBindError) {
      console.error(`bulwark serve: ${error.message}`);
      return 2;
    }
    const code = (error as NodeJS.ErrnoException).code;
    console.error(`bulwark serve: could not start: ${code === 'EADDRINUSE' ? `port ${options.port ?? config.server.port} is in use (try --port)` : (error as Error).message}`);
    return 1;
  }
  // Signal handlers go in before the banner: whoever reads the banner may signal at once, and a
  // SIGHUP/SIGTERM arriving before its handler exists would kill the process outright.

  // Nothing a request does may stop the process; log what slipped through and keep serving.
  const onStray = (error: unknown) => logger.error({ err: error }, 'unexpected error outside a request');
  process.on('uncaughtException', onStray);
  process.on('unhandledRejection', onStray);

  let reloading = Promise.resolve();
  const onHup = () => {
    reloading = reloading.then(async () => {
      try {
        const next = await loadConfigFile(options.configPath);
        await gateway.reload(next);
        logger.info({ config: options.configPath, generation: gateway.slot.generation }, 'config reloaded');
      } catch (error) {
        const reason = error instanceof ConfigError ? error.problems : (error as Error).message;
        logger.error({ config: options.configPath, reason }, 'config reload rejected; the previous config stays in effect');
      }
    });
  };
  process.on('SIGHUP', onHup);

  return new Promise<number>((resolve) => {
    let stopping = false;
    const onStop = (signal: NodeJS.Signals) => {
      if (stopping) {
        if (signal === 'SIGINT') {
          logger.warn('second SIGINT: exiting at once');
          process.exit(1);
        }
        return;
      }
      stopping = true;
      logger.info({ signal, inFlight: gateway.server.requestsInFlight, graceMs: gateway.config.server.shutdownGraceMs }, 'draining');
      void gateway.shutdown().then((clean) => {
        logger.info({ clean }, 'stopped');
        process.off('SIGHUP', onHup);
        process.off('uncaughtException', onStray);
        process.off('unhandledRejection', onStray);
        resolve(0);
      });
    };
    process.on('SIGTERM', onStop);
    process.on('SIGINT', onStop);
    printBanner(gateway, options);
  });
}

function printBanner(gateway: Gateway, options: ServeOptions): void {
  const url = gateway.url;
  const models = gateway.slot.router.models();
  const model = models.includes('gpt-4') ? 'gpt-4' : models[0];
  const lines = [
    '',
    `  Bulwark gateway listening on ${url}`,
    `  config: ${options.embeddedDefault ? 'embedded default (config/default.yaml)' : options.configPath}`,
    gateway.mockedProviders.length > 0
      ? `  providers served by the built-in mock: ${gateway.mockedProviders.join(', ')}`
      : '  providers: real endpoints (API keys from the environment)',
    `  models: ${models.join(', ')}`,
    `  dashboard: ${url}/dashboard   health: ${url}/health   metrics: ${url}/metrics`,
    '',
    '  Try it:',
    `    curl -s ${url}/v1/chat/completions -H 'content-type: application/json' \\`,
    ...(gateway.config.auth.keys.length > 0 ? ["      -H 'authorization: Bearer YOUR_GATEWAY_KEY' \\"] : []),
    `      -d '{"model":"${model}","messages":[{"role":"user","content":"Hello"}]}' -D - `,
    '',
    gateway.mockedProviders.length > 0
      ? '  Watch the x-bulwark-served-by header: the mock primary fails now and then and the fallback answers.'
      : '  The x-bulwark-served-by header tells which deployment (or cache, or default answer) answered.',
    '',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  const keysSet = paidProviderKeysSet(process.env);
  const mocked = new Set(gateway.mockedProviders);
  const real = Object.entries(gateway.config.providers).filter(([name]) => !mocked.has(name));
  if (options.embeddedDefault && keysSet.length > 0 && real.length > 0) {
    const hosts = real.map(([name, p]) => `${name}${p.baseUrl ? ` (${new URL(p.baseUrl).host})` : ''}`);
    process.stderr.write(`\n${paidProvidersWarning(hosts, keysSet)}\n\n`);
  }
}
