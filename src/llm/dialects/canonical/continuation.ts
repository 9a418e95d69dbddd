import type { ApiFamily } from '../../exchange.js';
import { CONTINUATION_INSTRUCTION } from '../../defaults.js';
import type { ChatRequest } from '../../types.js';

/** A request that asks another model to finish a broken answer. */
export interface Continuation {
  request: ChatRequest;
  /**
   * Whitespace cut from the end of the partial text (Anthropic rejects a prefill ending in
   * whitespace). The caller already has it, so leading whitespace of the continuation is dropped.
   */
  trimmed: string;
}

/**
 * Builds the continuation of a stream that broke after `partial` text reached the caller:
 * the original messages plus the partial answer as a final assistant message.
 * - `anthropic` dialect: that assistant message is a prefill — the model continues it directly
 *   (trailing whitespace trimmed, see {@link Continuation.trimmed});
 * - `openai` dialect (no prefill): the assistant message is followed by a user message with
 *   {@link CONTINUATION_INSTRUCTION}, asking for the remaining text only.
 * With no partial text the original request is sent as it is.
 */
export function buildContinuation(original: ChatRequest, partial: string, dialect: ApiFamily, model: string): Continuation {
  if (partial.length === 0) return { request: { ...original, model }, trimmed: '' };
  if (dialect === 'anthropic') {
    const prefill = partial.trimEnd();
    if (prefill.length === 0) return { request: { ...original, model }, trimmed: partial };
    return {
      request: { ...original, model, messages: [...original.messages, { role: 'assistant', content: prefill }] },
      trimmed: partial.slice(prefill.length),
    };
  }
  return {
    request: {
      ...original,
      model,
      messages: [...original.messages, { role: 'assistant', content: partial }, { role: 'user', content: CONTINUATION_INSTRUCTION }],
    },
    trimmed: '',
  };
}
