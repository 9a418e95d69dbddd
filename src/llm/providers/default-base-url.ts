/**
 * The public endpoint of a provider whose config names none: the cloud APIs and the
 * OpenAI-compatible presets have one well-known root each.
 */
import type { ProviderConfig } from '../provider.js';
import { OPENAI_COMPATIBLE_PRESETS } from './openai-compatible-presets.js';

/** Google AI Studio's API root. */
export const GEMINI_BASE_URL = 'https://generativelanguage.googleapis.com';

/**
 * The base URL for `config`, or `undefined` when the type has no default (openai without a
 * preset, azure, anthropic: their config must say).
 *
 * @example defaultBaseUrl({ type: 'bedrock', region: 'us-east-1' }) // 'https://bedrock-runtime.us-east-1.amazonaws.com'
 */
export function defaultBaseUrl(config: Pick<ProviderConfig, 'type' | 'preset' | 'region'>): string | undefined {
  switch (config.type) {
    case 'gemini':
      return GEMINI_BASE_URL;
    case 'vertex':
      // The `global` location has no regional host.
      if (config.region === undefined) return undefined;
      return config.region === 'global' ? 'https://aiplatform.googleapis.com' : `https://${config.region}-aiplatform.googleapis.com`;
    case 'bedrock':
      return config.region === undefined ? undefined : `https://bedrock-runtime.${config.region}.amazonaws.com`;
    case 'openai':
      return config.preset === undefined ? undefined : OPENAI_COMPATIBLE_PRESETS[config.preset].baseUrl;
    default:
      return undefined;
  }
}
