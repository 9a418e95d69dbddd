import type { ApiFamily } from '../../exchange.js';
import { ANTHROPIC_MESSAGES_CAPABILITIES } from '../anthropic-messages/capabilities.js';
import type { CapabilityTable } from '../capabilities.js';
import { OPENAI_CHAT_CAPABILITIES } from '../openai-chat/capabilities.js';

/** The capability table of the chat API each provider family speaks: what a translated chat request can carry there. */
export const CHAT_CAPABILITIES: Readonly<Record<ApiFamily, CapabilityTable>> = Object.freeze({
  openai: OPENAI_CHAT_CAPABILITIES,
  anthropic: ANTHROPIC_MESSAGES_CAPABILITIES,
});
