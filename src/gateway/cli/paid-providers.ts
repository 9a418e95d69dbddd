/**
 * The provider keys the embedded default config (config/default.yaml) reads: with one set, its
 * providers stop using the built-in mock and every request is billed by the real provider.
 */
export const PAID_PROVIDER_KEYS = ['OPENAI_API_KEY', 'ANTHROPIC_API_KEY'] as const;

/** Lets `bulwark load` send to a local gateway although provider keys are set (same as `--allow-paid`). */
export const ALLOW_PAID_ENV = 'BULWARK_ALLOW_PAID';

/** The provider keys set (non-empty) in `env`, by name; never their values. */
export function paidProviderKeysSet(env: NodeJS.ProcessEnv): string[] {
  return PAID_PROVIDER_KEYS.filter((name) => (env[name] ?? '') !== '');
}

/**
 * The warning `bulwark serve` prints when providers of the embedded default config go to the
 * real, paid APIs: framed so that it cannot be missed in a terminal.
 *
 * @example paidProvidersWarning(['openai-primary (api.openai.com)'], ['OPENAI_API_KEY'])
 */
export function paidProvidersWarning(realProviders: string[], keysSet: string[]): string {
  const rule = `  ${'!'.repeat(92)}`;
  return [
    rule,
    `  !! REAL, PAID PROVIDERS: ${realProviders.join(', ')}`,
    `  !! because ${keysSet.join(' and ')} ${keysSet.length === 1 ? 'is' : 'are'} set: every request through this gateway is billed by the provider.`,
    '  !! For the tour on the built-in mock, start it with the keys unset:',
    `  !!   ${PAID_PROVIDER_KEYS.map((k) => `${k}=`).join(' ')} npm start`,
    rule,
  ].join('\n');
}

/**
 * Why `bulwark load` refuses to load the local gateway (the tour's `load` step) when provider
 * keys are set in its environment, or undefined when it may go ahead: a gateway started from the
 * same shell routes to the real providers, and a load run sends hundreds of billed requests.
 */
export function paidLoadRefusal(env: NodeJS.ProcessEnv, requests: string): string | undefined {
  const keys = paidProviderKeysSet(env);
  if (keys.length === 0 || (env[ALLOW_PAID_ENV] ?? '') !== '') return undefined;
  return `${keys.join(' and ')} ${keys.length === 1 ? 'is' : 'are'} set, so a gateway started from this shell (npm start) sends to the real, paid provider: this run would send ${requests}, all billed. ` +
    `Start the gateway with the keys unset to stay on the built-in mock, or pass --allow-paid (or ${ALLOW_PAID_ENV}=1) to send them anyway.`;
}
