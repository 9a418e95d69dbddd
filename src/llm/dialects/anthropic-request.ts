/**
 * Anthropic Messages requests ⇄ the canonical {@link ChatRequest}.
 */
import type { ChatMessage, ChatRequest, ContentPart, ReasoningEffort, ResponseFormat, ToolCall, ToolChoice, ToolDefinition } from '../types.js';
import {
  describe, invalid, optionalBoolean, optionalNumber, optionalPositiveInt, optionalString, parseArguments, requireArray,
  requireObject, requireString, type JsonObject,
} from './check.js';

/**
 * `max_tokens` sent to Anthropic when the canonical request has none (Anthropic requires it).
 * Default 4096.
 */
export const ANTHROPIC_DEFAULT_MAX_TOKENS = 4096;

/** A parsed Anthropic request: the canonical request plus the streaming flag. */
export interface ParsedAnthropicRequest {
  request: ChatRequest;
  stream: boolean;
}

/**
 * Validates an Anthropic `POST /v1/messages` body and translates it. `tool_result` blocks become
 * canonical `tool` messages (placed before the rest of their user turn); `thinking` blocks are
 * dropped. Throws `LlmError('invalid_request')` naming the offending field.
 */
export function parseAnthropicRequest(body: unknown): ParsedAnthropicRequest {
  const b = requireObject(body, 'body');
  const model = requireString(b.model, 'model');
  if (model === '') invalid('model', 'must not be empty');
  if (typeof b.max_tokens !== 'number' || !Number.isInteger(b.max_tokens) || b.max_tokens < 1) {
    invalid('max_tokens', `must be a positive integer, got ${describe(b.max_tokens)}`);
  }
  const rawMessages = requireArray(b.messages, 'messages');
  if (rawMessages.length === 0) invalid('messages', 'must contain at least one message');
  const messages: ChatMessage[] = [];
  rawMessages.forEach((raw, i) => {
    const path = `messages[${i}]`;
    const m = requireObject(raw, path);
    if (m.role === 'user') parseUserTurn(m.content, `${path}.content`, messages);
    else if (m.role === 'assistant') messages.push(parseAssistantTurn(m.content, `${path}.content`));
    else invalid(`${path}.role`, `must be 'user' or 'assistant', got ${describe(m.role)}`);
  });

  const request: ChatRequest = { model, messages, maxTokens: b.max_tokens };
  const system = parseSystem(b.system);
  if (system !== undefined) request.system = system;
  const temperature = optionalNumber(b.temperature, 'temperature', 0, 1);
  if (temperature !== undefined) request.temperature = temperature;
  const topP = optionalNumber(b.top_p, 'top_p', 0, 1);
  if (topP !== undefined) request.topP = topP;
  if (b.stop_sequences !== undefined && b.stop_sequences !== null) {
    request.stop = requireArray(b.stop_sequences, 'stop_sequences').map((s, i) => requireString(s, `stop_sequences[${i}]`));
  }
  if (b.tools !== undefined && b.tools !== null) request.tools = parseTools(b.tools);
  if (b.tool_choice !== undefined && b.tool_choice !== null) {
    request.toolChoice = parseToolChoice(b.tool_choice);
    if ((b.tool_choice as JsonObject).disable_parallel_tool_use === true) request.parallelToolCalls = false;
  }
  const effort = effortOfThinking(b.thinking);
  if (effort !== undefined) request.reasoningEffort = effort;
  if (b.metadata !== undefined && b.metadata !== null) {
    const user = optionalString(requireObject(b.metadata, 'metadata').user_id, 'metadata.user_id');
    if (user !== undefined) request.user = user;
  }
  return { request, stream: optionalBoolean(b.stream, 'stream') ?? false };
}

function parseSystem(system: unknown): string | undefined {
  if (system === undefined || system === null) return undefined;
  if (typeof system === 'string') return system;
  return requireArray(system, 'system').map((raw, i) => {
    const block = requireObject(raw, `system[${i}]`);
    if (block.type !== 'text') invalid(`system[${i}].type`, `must be 'text', got ${describe(block.type)}`);
    return requireString(block.text, `system[${i}].text`);
  }).join('\n\n');
}

function blocksOf(content: unknown, path: string): JsonObject[] {
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  return requireArray(content, path).map((raw, i) => requireObject(raw, `${path}[${i}]`));
}

function parseUserTurn(content: unknown, path: string, out: ChatMessage[]): void {
  const parts: ContentPart[] = [];
  blocksOf(content, path).forEach((block, i) => {
    const p = `${path}[${i}]`;
    switch (block.type) {
      case 'text':
        parts.push({ type: 'text', text: requireString(block.text, `${p}.text`) });
        break;
      case 'image': {
        const source = requireObject(block.source, `${p}.source`);
        if (source.type === 'base64') {
          parts.push({ type: 'image', data: requireString(source.data, `${p}.source.data`), mediaType: requireString(source.media_type, `${p}.source.media_type`) });
        } else if (source.type === 'url') {
          parts.push({ type: 'image', url: requireString(source.url, `${p}.source.url`) });
        } else {
          invalid(`${p}.source.type`, `must be 'base64' or 'url', got ${describe(source.type)}`);
        }
        break;
      }
      case 'document': {
        const source = requireObject(block.source, `${p}.source`);
        if (source.type !== 'base64' || source.media_type !== 'application/pdf') invalid(`${p}.source`, 'must be a base64 PDF (other document sources are not translated)');
        const part: ContentPart = { type: 'document', mediaType: 'application/pdf', data: requireString(source.data, `${p}.source.data`) };
        const title = optionalString(block.title, `${p}.title`);
        if (title !== undefined) part.title = title;
        parts.push(part);
        break;
      }
      case 'tool_result': {
        const message: ChatMessage = {
          role: 'tool',
          toolCallId: requireString(block.tool_use_id, `${p}.tool_use_id`),
          content: toolResultText(block.content, `${p}.content`),
        };
        if (optionalBoolean(block.is_error, `${p}.is_error`)) message.isError = true;
        out.push(message);
        break;
      }
      default:
        invalid(`${p}.type`, `must be 'text', 'image' or 'tool_result' in a user turn, got ${describe(block.type)}`);
    }
  });
  if (parts.length === 0) return;
  out.push({ role: 'user', content: typeof content === 'string' ? content : parts });
}

function toolResultText(content: unknown, path: string): string {
  if (content === undefined || content === null) return '';
  if (typeof content === 'string') return content;
  return requireArray(content, path).map((raw, i) => {
    const block = requireObject(raw, `${path}[${i}]`);
    if (block.type !== 'text') invalid(`${path}[${i}].type`, `must be 'text' (other tool result blocks are not supported), got ${describe(block.type)}`);
    return requireString(block.text, `${path}[${i}].text`);
  }).join('');
}

function parseAssistantTurn(content: unknown, path: string): ChatMessage {
  let text = '';
  const toolCalls: ToolCall[] = [];
  blocksOf(content, path).forEach((block, i) => {
    const p = `${path}[${i}]`;
    if (block.type === 'text') text += requireString(block.text, `${p}.text`);
    else if (block.type === 'tool_use') {
      toolCalls.push({
        id: requireString(block.id, `${p}.id`),
        name: requireString(block.name, `${p}.name`),
        arguments: JSON.stringify(block.input === undefined ? {} : requireObject(block.input, `${p}.input`)),
      });
    } else if (block.type !== 'thinking' && block.type !== 'redacted_thinking') {
      invalid(`${p}.type`, `must be 'text' or 'tool_use' in an assistant turn, got ${describe(block.type)}`);
    }
  });
  return toolCalls.length > 0 ? { role: 'assistant', content: text, toolCalls } : { role: 'assistant', content: text };
}

function parseTools(tools: unknown): ToolDefinition[] {
  return requireArray(tools, 'tools').map((raw, i): ToolDefinition => {
    const t = requireObject(raw, `tools[${i}]`);
    if (t.type !== undefined && t.type !== null && t.type !== 'custom') {
      invalid(`tools[${i}].type`, `must be a custom tool (server tools are not supported), got ${describe(t.type)}`);
    }
    const def: ToolDefinition = {
      name: requireString(t.name, `tools[${i}].name`),
      parameters: requireObject(t.input_schema, `tools[${i}].input_schema`),
    };
    const description = optionalString(t.description, `tools[${i}].description`);
    if (description !== undefined) def.description = description;
    return def;
  });
}

function parseToolChoice(choice: unknown): ToolChoice {
  const c = requireObject(choice, 'tool_choice');
  switch (c.type) {
    case 'auto':
      return 'auto';
    case 'any':
      return 'required';
    case 'none':
      return 'none';
    case 'tool':
      return { name: requireString(c.name, 'tool_choice.name') };
    default:
      return invalid('tool_choice.type', `must be 'auto', 'any', 'tool' or 'none', got ${describe(c.type)}`);
  }
}

/**
 * Translates a canonical request into an Anthropic Messages body. Tool results become
 * `tool_result` blocks in a user turn, and consecutive turns of the same role are merged
 * (Anthropic requires alternating roles). Without `maxTokens`, sends
 * {@link ANTHROPIC_DEFAULT_MAX_TOKENS}. `temperature` is capped at 1 (Anthropic's range is 0–1,
 * OpenAI's 0–2). `seed` has no Anthropic equivalent and is dropped.
 * Throws `LlmError('invalid_request')` if a tool call's arguments are not a JSON object.
 */
export function toAnthropicRequest(request: ChatRequest, options: { stream?: boolean } = {}): JsonObject {
  const messages: { role: 'user' | 'assistant'; content: JsonObject[] }[] = [];
  const fromString = new WeakSet<JsonObject>();
  const push = (role: 'user' | 'assistant', blocks: JsonObject[]) => {
    const last = messages[messages.length - 1];
    if (last && last.role === role) last.content.push(...blocks);
    else messages.push({ role, content: blocks });
  };
  request.messages.forEach((m, i) => {
    if (m.role === 'user') {
      if (typeof m.content === 'string') {
        const block = { type: 'text', text: m.content };
        fromString.add(block);
        push('user', [block]);
      } else {
        push('user', m.content.map(anthropicPart));
      }
    } else if (m.role === 'tool') {
      const block: JsonObject = { type: 'tool_result', tool_use_id: m.toolCallId, content: m.content };
      if (m.isError) block.is_error = true;
      push('user', [block]);
    } else {
      const blocks: JsonObject[] = m.content === '' ? [] : [{ type: 'text', text: m.content }];
      (m.toolCalls ?? []).forEach((c, j) => {
        blocks.push({ type: 'tool_use', id: c.id, name: c.name, input: parseArguments(c.arguments, `messages[${i}].toolCalls[${j}].arguments`) });
      });
      // Anthropic rejects empty text blocks: an empty assistant turn is left out.
      if (blocks.length === 0) return;
      if (blocks.length === 1 && m.content !== '') fromString.add(blocks[0]);
      push('assistant', blocks);
    }
  });
  const body: JsonObject = {
    model: request.model,
    max_tokens: request.maxTokens ?? ANTHROPIC_DEFAULT_MAX_TOKENS,
    messages: messages.map((m) => ({ role: m.role, content: simplify(m.content, fromString) })),
  };
  const system = withFormatInstruction(request.system, request.responseFormat);
  if (system !== undefined && system !== '') body.system = system;
  if (request.temperature !== undefined) body.temperature = Math.min(1, request.temperature);
  if (request.topP !== undefined) body.top_p = request.topP;
  if (request.stop !== undefined && request.stop.length > 0) body.stop_sequences = request.stop;
  if (request.tools !== undefined && request.tools.length > 0) {
    body.tools = request.tools.map((t) => (t.description === undefined ? { name: t.name, input_schema: t.parameters } :
      { name: t.name, description: t.description, input_schema: t.parameters }));
  }
  if (request.toolChoice !== undefined) {
    const c = request.toolChoice;
    body.tool_choice = c === 'auto' ? { type: 'auto' } : c === 'required' ? { type: 'any' } : c === 'none' ? { type: 'none' } :
      { type: 'tool', name: c.name };
  }
  if (request.parallelToolCalls === false && request.tools !== undefined && request.tools.length > 0) {
    body.tool_choice = { ...((body.tool_choice as JsonObject | undefined) ?? { type: 'auto' }), disable_parallel_tool_use: true };
  }
  if (request.reasoningEffort !== undefined) {
    const budget = REASONING_BUDGET_TOKENS[request.reasoningEffort];
    body.thinking = { type: 'enabled', budget_tokens: budget };
    // The budget is part of max_tokens (as OpenAI's reasoning tokens are of max_completion_tokens): leave room for the answer.
    if ((body.max_tokens as number) <= budget) body.max_tokens = budget + ANTHROPIC_DEFAULT_MAX_TOKENS;
    delete body.temperature; // thinking requires the default temperature
  }
  if (request.user !== undefined) body.metadata = { user_id: request.user };
  if (options.stream) body.stream = true;
  return body;
}

/**
 * Thinking budget (tokens) per reasoning effort, for an OpenAI-style `reasoning_effort` sent to
 * Anthropic; an Anthropic budget reads back as the effort whose budget it reaches.
 */
export const REASONING_BUDGET_TOKENS: Readonly<Record<ReasoningEffort, number>> = Object.freeze({ minimal: 1024, low: 2048, medium: 8192, high: 24_576 });

/** The effort of an Anthropic `thinking` setting (undefined: thinking off). */
function effortOfThinking(raw: unknown): ReasoningEffort | undefined {
  if (raw === undefined || raw === null) return undefined;
  const thinking = requireObject(raw, 'thinking');
  if (thinking.type === 'disabled') return undefined;
  if (thinking.type === 'adaptive') return 'medium';
  if (thinking.type !== 'enabled') invalid('thinking.type', `must be 'enabled', 'adaptive' or 'disabled', got ${describe(thinking.type)}`);
  const budget = optionalPositiveInt(thinking.budget_tokens, 'thinking.budget_tokens') ?? REASONING_BUDGET_TOKENS.medium;
  if (budget >= REASONING_BUDGET_TOKENS.high) return 'high';
  if (budget >= REASONING_BUDGET_TOKENS.medium) return 'medium';
  if (budget >= REASONING_BUDGET_TOKENS.low) return 'low';
  return 'minimal';
}

/** A turn that was one plain string stays one plain string (so round trips are exact). */
function simplify(blocks: JsonObject[], fromString: WeakSet<JsonObject>): string | JsonObject[] {
  return blocks.length === 1 && fromString.has(blocks[0]) ? blocks[0].text as string : blocks;
}

function anthropicPart(part: ContentPart): JsonObject {
  if (part.type === 'text') return { type: 'text', text: part.text };
  if (part.type === 'document') {
    const block: JsonObject = { type: 'document', source: { type: 'base64', media_type: part.mediaType, data: part.data } };
    if (part.title !== undefined) block.title = part.title;
    return block;
  }
  if (part.url !== undefined) return { type: 'image', source: { type: 'url', url: part.url } };
  return { type: 'image', source: { type: 'base64', media_type: part.mediaType ?? 'image/png', data: part.data ?? '' } };
}

/**
 * The Messages API has no `response_format`: a request that asks for JSON (it fell back from an
 * OpenAI-dialect model, say) gets the same demand as an instruction at the end of its system prompt.
 */
export function withFormatInstruction(system: string | undefined, format: ResponseFormat | undefined): string | undefined {
  if (format === undefined) return system;
  const instruction = format.type === 'json_object'
    ? 'Respond with a single valid JSON object and nothing else: no prose, no code fences.'
    : `Respond with a single valid JSON object and nothing else (no prose, no code fences) that conforms to this JSON Schema named "${format.name}":\n${JSON.stringify(format.schema)}`;
  return system === undefined || system === '' ? instruction : `${system}\n\n${instruction}`;
}
