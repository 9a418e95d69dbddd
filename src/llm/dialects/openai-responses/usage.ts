import { isObject } from '../check.js';
import type { Usage } from '../../types.js';

/** Token usage from a Responses (or embeddings) `usage` object: `input_tokens` includes cached tokens. */
export function responsesUsage(usage: unknown): Usage | undefined {
  if (!isObject(usage)) return undefined;
  return {
    inputTokens: typeof usage.input_tokens === 'number' ? usage.input_tokens : 0,
    outputTokens: typeof usage.output_tokens === 'number' ? usage.output_tokens : 0,
  };
}
