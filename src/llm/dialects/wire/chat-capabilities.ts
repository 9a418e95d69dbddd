import type { ApiFamily } from '../../exchange.js';
import { ANTHROPIC_MESSAGES_CAPABILITIES } from '../anthropic-messages/capabilities.js';
import { BEDROCK_CONVERSE_CAPABILITIES } from '../bedrock/capabilities.js';
import type { CapabilityTable } from '../capabilities.js';
import { GEMINI_CAPABILITIES } from '../gemini/capabilities.js';
import { OPENAI_CHAT_CAPABILITIES } from '../openai-chat/capabilities.js';

/** The capability table of the chat API each provider family speaks: what a translated chat request can carry there. */
export const CHAT_CAPABILITIES: Readonly<Record<ApiFamily, CapabilityTable>> = Object.freeze({
  openai: OPENAI_CHAT_CAPABILITIES,
  anthropic: ANTHROPIC_MESSAGES_CAPABILITIES,
  gemini: GEMINI_CAPABILITIES,
  bedrock: BEDROCK_CONVERSE_CAPABILITIES,
});
