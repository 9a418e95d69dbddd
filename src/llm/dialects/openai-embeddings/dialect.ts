import { OPENAI_CHAT, OPENAI_FORWARDED_HEADERS } from '../openai-chat/dialect.js';
import { openAIUsage } from '../openai-chat/usage.js';
import { sameApiOnly } from '../same-api-only.js';
import type { WireDialect } from '../wire/wire-dialect.js';

/**
 * OpenAI `POST /v1/embeddings` as a wire dialect: passed through to OpenAI-API deployments as it
 * came (`input`, `encoding_format`, `dimensions`… untouched), the answer handed back as sent;
 * usage is `prompt_tokens`. It never streams, and has no default answer (a made-up vector would
 * poison an index): when every embedding group fails, the client gets the error.
 */
export const OPENAI_EMBEDDINGS: WireDialect = Object.freeze({
  name: 'openai-embeddings' as const,
  family: 'openai' as const,
  endpoint: 'embeddings',
  hasDefaultAnswer: false,
  forwardHeaders: OPENAI_FORWARDED_HEADERS,
  passBack: OPENAI_CHAT.passBack,
  usage: openAIUsage,
  relay: OPENAI_CHAT.relay,
  ...sameApiOnly('an embeddings request', 'OpenAI'),
});
