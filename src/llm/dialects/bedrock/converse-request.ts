/**
 * The canonical {@link ChatRequest} → an AWS Bedrock Converse body (`POST /model/{id}/converse`
 * and `/converse-stream`; one shape for every model family Bedrock hosts).
 */
import type { ChatMessage, ChatRequest, ContentPart, ToolChoice } from '../../types.js';
import { invalid, parseArguments } from '../check.js';

/** A Converse content block. */
export type ConverseBlock =
  | { text: string }
  | { image: { format: string; source: { bytes: string } } }
  | { document: { format: string; name: string; source: { bytes: string } } }
  | { toolUse: { toolUseId: string; name: string; input: Record<string, unknown> } }
  | { toolResult: { toolUseId: string; content: { text: string }[]; status?: 'success' | 'error' } };

/** A Converse message. */
export interface ConverseMessage {
  role: 'user' | 'assistant';
  content: ConverseBlock[];
}

/** The Converse request body (the model id travels in the URL path). */
export interface ConverseRequestBody {
  messages: ConverseMessage[];
  system?: { text: string }[];
  inferenceConfig?: { maxTokens?: number; temperature?: number; topP?: number; stopSequences?: string[] };
  toolConfig?: {
    tools: { toolSpec: { name: string; description?: string; inputSchema: { json: Record<string, unknown> } } }[];
    toolChoice?: { auto: Record<string, never> } | { any: Record<string, never> } | { tool: { name: string } };
  };
}

/** Image formats Converse accepts inline (it takes no image URLs). */
const IMAGE_FORMATS: Record<string, string> = { 'image/png': 'png', 'image/jpeg': 'jpeg', 'image/gif': 'gif', 'image/webp': 'webp' };

/**
 * Translates a canonical request. Converse takes images only as inline bytes: an image given by
 * URL is a `bad_request` naming the part (Bulwark never fetches URLs on a client's behalf). A
 * `tool_choice` of `none` cannot be expressed: the tools are left out instead, which is what
 * `none` means.
 */
export function toConverseRequest(request: ChatRequest): ConverseRequestBody {
  const messages: ConverseMessage[] = [];
  request.messages.forEach((message, i) => appendMessage(messages, message, i));
  const body: ConverseRequestBody = { messages };
  if (request.system !== undefined && request.system !== '') body.system = [{ text: request.system }];
  const inference: NonNullable<ConverseRequestBody['inferenceConfig']> = {};
  if (request.maxTokens !== undefined) inference.maxTokens = request.maxTokens;
  if (request.temperature !== undefined) inference.temperature = request.temperature;
  if (request.topP !== undefined) inference.topP = request.topP;
  if (request.stop !== undefined && request.stop.length > 0) inference.stopSequences = request.stop;
  if (Object.keys(inference).length > 0) body.inferenceConfig = inference;
  if (request.tools !== undefined && request.tools.length > 0 && request.toolChoice !== 'none') {
    body.toolConfig = {
      tools: request.tools.map((tool) => ({
        toolSpec: {
          name: tool.name,
          ...(tool.description !== undefined ? { description: tool.description } : {}),
          inputSchema: { json: tool.parameters },
        },
      })),
    };
    const choice = toolChoiceOf(request.toolChoice);
    if (choice !== undefined) body.toolConfig.toolChoice = choice;
  }
  return body;
}

function toolChoiceOf(choice: ToolChoice | undefined): NonNullable<ConverseRequestBody['toolConfig']>['toolChoice'] {
  if (choice === undefined || choice === 'auto' || choice === 'none') return choice === 'auto' ? { auto: {} } : undefined;
  if (choice === 'required') return { any: {} };
  return { tool: { name: choice.name } };
}

function appendMessage(messages: ConverseMessage[], message: ChatMessage, index: number): void {
  if (message.role === 'user') {
    const blocks = typeof message.content === 'string'
      ? [{ text: message.content }]
      : message.content.map((part, p) => blockOf(part, `messages[${index}].content[${p}]`));
    push(messages, 'user', blocks);
    return;
  }
  if (message.role === 'assistant') {
    const blocks: ConverseBlock[] = message.content !== '' ? [{ text: message.content }] : [];
    for (const call of message.toolCalls ?? []) {
      blocks.push({ toolUse: { toolUseId: call.id, name: call.name, input: parseArguments(call.arguments, `messages[${index}].tool_calls.arguments`) } });
    }
    push(messages, 'assistant', blocks);
    return;
  }
  const result: ConverseBlock = {
    toolResult: { toolUseId: message.toolCallId, content: [{ text: message.content }], ...(message.isError === true ? { status: 'error' as const } : {}) },
  };
  push(messages, 'user', [result]);
}

/** Converse wants user and assistant turns to alternate: consecutive turns of one role merge. */
function push(messages: ConverseMessage[], role: 'user' | 'assistant', blocks: ConverseBlock[]): void {
  if (blocks.length === 0) return;
  const last = messages[messages.length - 1];
  if (last !== undefined && last.role === role) last.content.push(...blocks);
  else messages.push({ role, content: blocks });
}

function blockOf(part: ContentPart, path: string): ConverseBlock {
  if (part.type === 'text') return { text: part.text };
  // Converse names a document with letters, digits, spaces, hyphens, parentheses and brackets only.
  if (part.type === 'document') return { document: { format: 'pdf', name: (part.title ?? 'document').replace(/[^A-Za-z0-9 ()[\]-]/g, ' ').trim() || 'document', source: { bytes: part.data } } };
  if (part.data === undefined) invalid(path, 'is an image by URL; Bedrock Converse accepts only inline (base64) images');
  const mediaType = part.mediaType ?? 'image/png';
  const format = IMAGE_FORMATS[mediaType];
  if (format === undefined) invalid(`${path}.media_type`, `must be one of ${Object.keys(IMAGE_FORMATS).join(', ')} for Bedrock, got ${JSON.stringify(mediaType)}`);
  return { image: { format, source: { bytes: part.data } } };
}

