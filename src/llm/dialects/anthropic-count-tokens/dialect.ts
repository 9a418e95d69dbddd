import { ANTHROPIC_FORWARDED_HEADERS, ANTHROPIC_MESSAGES } from '../anthropic-messages/dialect.js';
import { sameApiOnly } from '../same-api-only.js';
import type { WireDialect } from '../wire/wire-dialect.js';

/**
 * Anthropic `POST /v1/messages/count_tokens` as a wire dialect: passed through to
 * Anthropic-API deployments as it came (with `anthropic-version`/`anthropic-beta`), the count
 * handed back as sent. Counting spends no tokens: no usage is observed (TPM budgets untouched).
 */
export const ANTHROPIC_COUNT_TOKENS: WireDialect = Object.freeze({
  name: 'anthropic-count-tokens' as const,
  family: 'anthropic' as const,
  endpoint: 'messages/count_tokens',
  hasDefaultAnswer: false,
  forwardHeaders: ANTHROPIC_FORWARDED_HEADERS,
  passBack: ANTHROPIC_MESSAGES.passBack,
  usage: () => undefined,
  relay: ANTHROPIC_MESSAGES.relay,
  ...sameApiOnly('a count_tokens request', 'Anthropic'),
});
