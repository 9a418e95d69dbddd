import { LlmError } from '../errors.js';
import type { ChatRequest } from '../types.js';
import type { ClientEncoder } from './wire/wire-dialect.js';

/**
 * The translation half of a wire dialect whose API has no counterpart in the other family
 * (Responses, embeddings, legacy completions, count_tokens): a request of it goes only to a
 * deployment of its own API. Such a dialect declares no `features`, so capability-aware routing
 * skips the other family's deployments (a route with none of its own answers 400); these members
 * only say so again should anything call them.
 */
export function sameApiOnly(what: string, family: 'OpenAI' | 'Anthropic') {
  const refuse = (): never => {
    throw new LlmError('bad_request', `Invalid request: ${what} can only be sent to an ${family}-API deployment`);
  };
  return {
    toCanonical: (_body: unknown): ChatRequest => refuse(),
    answerJson: (): string => refuse(),
    encoder: (): ClientEncoder => refuse(),
  };
}
