import { isObject } from '../check.js';
import type { Usage } from '../../types.js';

/** Token usage from an OpenAI `usage` object (`prompt_tokens` includes cached tokens). */
export function openAIUsage(usage: unknown): Usage | undefined {
  if (!isObject(usage)) return undefined;
  return {
    inputTokens: typeof usage.prompt_tokens === 'number' ? usage.prompt_tokens : 0,
    outputTokens: typeof usage.completion_tokens === 'number' ? usage.completion_tokens : 0,
  };
}
