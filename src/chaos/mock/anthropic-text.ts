/** The prompt text of Anthropic content, as the mock counts it (text blocks and tool results). */

/** The text one content block contributes to the prompt ('' for images, tool calls, thinking). */
export function anthropicBlockText(block: unknown): string {
  if (!block || typeof block !== 'object') return '';
  const b = block as { type?: unknown; text?: unknown; content?: unknown };
  if (typeof b.text === 'string') return b.text;
  if (b.type === 'tool_result') return typeof b.content === 'string' ? b.content : anthropicTextOf(b.content);
  return '';
}

/** The text of a `content` (or `system`) value: a string, or the blocks' text joined. */
export function anthropicTextOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  let text = '';
  for (const block of content) text += anthropicBlockText(block);
  return text;
}
