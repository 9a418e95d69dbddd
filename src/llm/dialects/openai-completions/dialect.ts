import { OPENAI_CHAT, OPENAI_FORWARDED_HEADERS } from '../openai-chat/dialect.js';
import { openAIUsage } from '../openai-chat/usage.js';
import { sameApiOnly } from '../same-api-only.js';
import type { WireDialect } from '../wire/wire-dialect.js';

/**
 * OpenAI legacy `POST /v1/completions` as a wire dialect: passed through to OpenAI-API
 * deployments as it came, streamed chunks relayed as sent (the Chat relay reads their
 * `choices[].text`, `finish_reason`, usage and `[DONE]` the same way). No translation.
 */
export const OPENAI_COMPLETIONS: WireDialect = Object.freeze({
  name: 'openai-completions' as const,
  family: 'openai' as const,
  endpoint: 'completions',
  usageChunk: true,
  hasDefaultAnswer: false,
  forwardHeaders: OPENAI_FORWARDED_HEADERS,
  passBack: OPENAI_CHAT.passBack,
  usage: openAIUsage,
  relay: OPENAI_CHAT.relay,
  ...sameApiOnly('a legacy completions request', 'OpenAI'),
});
