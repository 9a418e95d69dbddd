import { InvalidOptionsError } from '../../core/errors.js';
import type { Provider, ProviderConfig } from '../provider.js';
import { AnthropicProvider } from './anthropic.js';
import type { ProviderDeps } from './http-provider.js';
import { OpenAIProvider } from './openai.js';

/**
 * Builds the adapter for a provider config: `openai` and `azure` → {@link OpenAIProvider},
 * `anthropic` → {@link AnthropicProvider}. Throws `InvalidOptionsError` naming the bad field.
 *
 * @example const provider = createProvider({ type: 'anthropic', baseUrl: 'https://api.anthropic.com', apiKey }, { clock });
 */
export function createProvider(config: ProviderConfig, deps: ProviderDeps = {}): Provider {
  switch (config.type) {
    case 'openai':
    case 'azure':
      return new OpenAIProvider(config, deps);
    case 'anthropic':
      return new AnthropicProvider(config, deps);
    default:
      throw new InvalidOptionsError(`provider.type must be 'openai', 'azure' or 'anthropic', got ${JSON.stringify((config as { type: unknown }).type)}`);
  }
}
