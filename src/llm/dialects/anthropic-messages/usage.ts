import { isObject } from '../check.js';
import type { Usage } from '../../types.js';

/**
 * Token usage from an Anthropic `usage` object. Input counts every prompt token: uncached,
 * written to the cache and read from it (what a TPM budget spends), as OpenAI's `prompt_tokens`.
 */
export function anthropicUsage(usage: unknown): Usage | undefined {
  if (!isObject(usage)) return undefined;
  const number = (value: unknown) => (typeof value === 'number' ? value : 0);
  return {
    inputTokens: number(usage.input_tokens) + number(usage.cache_creation_input_tokens) + number(usage.cache_read_input_tokens),
    outputTokens: number(usage.output_tokens),
  };
}
