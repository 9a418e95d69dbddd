import { InvalidOptionsError } from '../../core/errors.js';
import type { Provider, ProviderConfig } from '../provider.js';
import { AnthropicProvider } from './anthropic.js';
import { BedrockProvider } from './bedrock.js';
import { GeminiProvider } from './gemini.js';
import { VertexProvider } from './vertex.js';
import type { ProviderDeps } from './http-provider.js';
import { OpenAIProvider } from './openai.js';

/**
 * Builds the transport for a provider config: `openai` and `azure` → {@link OpenAIProvider},
 * `anthropic` → {@link AnthropicProvider}, `gemini`, `vertex`, `bedrock` → their cloud transports. Throws `InvalidOptionsError` naming the bad field.
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
    case 'gemini':
      return new GeminiProvider(config, deps);
    case 'vertex':
      return new VertexProvider(config, deps);
    case 'bedrock':
      return new BedrockProvider(config, deps);
    default:
      throw new InvalidOptionsError(
        `provider.type must be 'openai', 'azure', 'anthropic', 'gemini', 'vertex' or 'bedrock', got ${JSON.stringify((config as { type: unknown }).type)}`,
      );
  }
}
