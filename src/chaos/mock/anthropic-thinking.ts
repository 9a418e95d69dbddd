/**
 * Extended thinking in the mock's Anthropic dialect: `thinking: { type: 'enabled', budget_tokens }`
 * (or `adaptive`) adds a thinking block with a signature before the answer, and the history a
 * client sends back is checked the way Anthropic checks it: a thinking block must carry the
 * signature the mock gave it, and with thinking on, the assistant turn whose tool call is being
 * answered must start with its thinking block. A gateway that drops or alters thinking fails here.
 */
import { shortHash, type MockTurn } from './answer.js';

/** Smallest `thinking.budget_tokens` Anthropic accepts. */
export const MIN_THINKING_BUDGET_TOKENS = 1024;

/** Whether thinking is on, or the message of the 400 a bad `thinking` parameter gets. */
export function parseThinking(thinking: unknown, maxTokens: number): boolean | string {
  if (thinking === undefined || thinking === null) return false;
  const t = thinking as { type?: unknown; budget_tokens?: unknown };
  if (t.type === 'disabled') return false;
  if (t.type === 'adaptive') return true;
  if (t.type !== 'enabled') return 'thinking.type: Input should be \'enabled\', \'adaptive\' or \'disabled\'';
  const budget = t.budget_tokens;
  if (typeof budget !== 'number' || !Number.isInteger(budget)) return 'thinking.enabled.budget_tokens: Field required';
  if (budget < MIN_THINKING_BUDGET_TOKENS) return `thinking.enabled.budget_tokens: Input should be greater than or equal to ${MIN_THINKING_BUDGET_TOKENS}`;
  if (maxTokens <= budget) return '`max_tokens` must be greater than `thinking.budget_tokens`.';
  return true;
}

/** The mock's thinking for a turn: deterministic, so tests can compare it. */
export function thinkingText(turn: MockTurn): string {
  return `The user asked about ${shortHash(turn.lastUserText)}; the mock answers from its table.`;
}

/** The opaque signature of a thinking text (what the mock checks when the block comes back). */
export function signatureOf(thinking: string): string {
  return btoa(`bulwark-mock-thinking:${shortHash(thinking)}:${thinking.length}`);
}

type Message = { role?: unknown; content?: unknown };
type Block = { type?: unknown; thinking?: unknown; signature?: unknown };

/** The message of the 400 a history gets when its thinking blocks were altered or dropped; undefined when fine. */
export function checkThinkingHistory(messages: readonly Message[], thinkingOn: boolean): string | undefined {
  for (let i = 0; i < messages.length; i++) {
    const content = messages[i]?.content;
    if (messages[i]?.role !== 'assistant' || !Array.isArray(content)) continue;
    for (let j = 0; j < content.length; j++) {
      const block = content[j] as Block | null;
      if (block?.type !== 'thinking') continue;
      if (typeof block.thinking !== 'string' || block.signature !== signatureOf(block.thinking)) {
        return `messages.${i}.content.${j}: Invalid \`signature\` in \`thinking\` block`;
      }
    }
  }
  if (!thinkingOn || messages.length < 2) return undefined;
  const last = messages[messages.length - 1];
  const answersTool = Array.isArray(last?.content) && last.content.some((b: Block | null) => b?.type === 'tool_result');
  const caller = messages[messages.length - 2];
  if (!answersTool || caller?.role !== 'assistant' || !Array.isArray(caller.content)) return undefined;
  const first = caller.content[0] as Block | undefined;
  if (first?.type === 'thinking' || first?.type === 'redacted_thinking') return undefined;
  return (
    `messages.${messages.length - 2}.content.0.type: Expected \`thinking\` or \`redacted_thinking\`, but found \`${String(first?.type)}\`. ` +
    'With thinking enabled, the assistant turn whose tool call is answered must start with its thinking block: send the thinking blocks back as received, or disable thinking.'
  );
}
