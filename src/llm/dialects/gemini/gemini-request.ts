/**
 * The canonical {@link ChatRequest} → a Gemini `generateContent` body (Google AI Studio and
 * Vertex AI share it). Clients never speak Gemini to the gateway, so only this direction exists.
 */
import { REASONING_BUDGET_TOKENS } from '../anthropic-request.js';
import type { ChatMessage, ChatRequest, ContentPart, ToolChoice } from '../../types.js';
import { invalid, parseArguments } from '../check.js';

/** A Gemini `Part`: one piece of a turn. */
export type GeminiPart =
  | { text: string; thought?: boolean; thoughtSignature?: string }
  | { inlineData: { mimeType: string; data: string } }
  | { fileData: { mimeType: string; fileUri: string } }
  | { functionCall: { name: string; args: Record<string, unknown>; id?: string }; thoughtSignature?: string }
  | { functionResponse: { name: string; response: Record<string, unknown>; id?: string } };

/** A Gemini `Content`: one turn of the conversation. */
export interface GeminiContent {
  role: 'user' | 'model';
  parts: GeminiPart[];
}

/** The body of `models/{model}:generateContent` / `:streamGenerateContent`. */
export interface GeminiRequestBody {
  contents: GeminiContent[];
  systemInstruction?: { parts: { text: string }[] };
  generationConfig?: Record<string, unknown>;
  tools?: { functionDeclarations: { name: string; description?: string; parametersJsonSchema?: Record<string, unknown> }[] }[];
  toolConfig?: { functionCallingConfig: { mode: 'AUTO' | 'ANY' | 'NONE'; allowedFunctionNames?: string[] } };
}

/**
 * Translates a canonical request. Tool results need the *name* of the function they answer
 * (Gemini matches by name, not id): it is looked up from the assistant turn that made the call.
 * A tool result for a call that no earlier turn made is a `bad_request` naming the message.
 */
export function toGeminiRequest(request: ChatRequest): GeminiRequestBody {
  const contents: GeminiContent[] = [];
  const callNames = new Map<string, string>();
  request.messages.forEach((message, i) => appendTurn(contents, message, i, callNames));

  const body: GeminiRequestBody = { contents };
  if (request.system !== undefined && request.system !== '') body.systemInstruction = { parts: [{ text: request.system }] };
  const generation: Record<string, unknown> = {};
  if (request.maxTokens !== undefined) generation.maxOutputTokens = request.maxTokens;
  if (request.temperature !== undefined) generation.temperature = request.temperature;
  if (request.topP !== undefined) generation.topP = request.topP;
  if (request.stop !== undefined && request.stop.length > 0) generation.stopSequences = request.stop;
  if (request.seed !== undefined) generation.seed = request.seed;
  // Reasoning effort → a thinking budget (the same tokens an Anthropic deployment gets), thoughts shown.
  if (request.reasoningEffort !== undefined) generation.thinkingConfig = { thinkingBudget: REASONING_BUDGET_TOKENS[request.reasoningEffort], includeThoughts: true };
  if (request.responseFormat !== undefined) {
    generation.responseMimeType = 'application/json';
    if (request.responseFormat.type === 'json_schema') generation.responseJsonSchema = request.responseFormat.schema;
  }
  if (Object.keys(generation).length > 0) body.generationConfig = generation;
  if (request.tools !== undefined && request.tools.length > 0) {
    body.tools = [{
      functionDeclarations: request.tools.map((tool) => ({
        name: tool.name,
        ...(tool.description !== undefined ? { description: tool.description } : {}),
        // Full JSON Schema; the older `parameters` field takes only an OpenAPI subset of it.
        parametersJsonSchema: tool.parameters,
      })),
    }];
  }
  if (request.toolChoice !== undefined) body.toolConfig = { functionCallingConfig: toolConfigOf(request.toolChoice) };
  return body;
}

function toolConfigOf(choice: ToolChoice): { mode: 'AUTO' | 'ANY' | 'NONE'; allowedFunctionNames?: string[] } {
  if (choice === 'auto') return { mode: 'AUTO' };
  if (choice === 'none') return { mode: 'NONE' };
  if (choice === 'required') return { mode: 'ANY' };
  return { mode: 'ANY', allowedFunctionNames: [choice.name] };
}

function appendTurn(contents: GeminiContent[], message: ChatMessage, index: number, callNames: Map<string, string>): void {
  if (message.role === 'user') {
    push(contents, 'user', typeof message.content === 'string' ? [{ text: message.content }] : message.content.map(partOf));
    return;
  }
  if (message.role === 'assistant') {
    const parts: GeminiPart[] = message.content !== '' ? [{ text: message.content }] : [];
    for (const call of message.toolCalls ?? []) {
      callNames.set(call.id, call.name);
      parts.push({ functionCall: { name: call.name, args: parseArguments(call.arguments, `messages[${index}].tool_calls.arguments`) } });
    }
    push(contents, 'model', parts);
    return;
  }
  const name = callNames.get(message.toolCallId);
  if (name === undefined) invalid(`messages[${index}].tool_call_id`, `answers no earlier tool call (${JSON.stringify(message.toolCallId)})`);
  const response = message.isError === true ? { error: message.content } : { content: message.content };
  push(contents, 'user', [{ functionResponse: { name, response } }]);
}

/** Consecutive turns of one role are merged: Gemini wants user and model turns to alternate. */
function push(contents: GeminiContent[], role: 'user' | 'model', parts: GeminiPart[]): void {
  if (parts.length === 0) return;
  const last = contents[contents.length - 1];
  if (last !== undefined && last.role === role) last.parts.push(...parts);
  else contents.push({ role, parts });
}

function partOf(part: ContentPart): GeminiPart {
  if (part.type === 'text') return { text: part.text };
  if (part.type === 'document') return { inlineData: { mimeType: part.mediaType, data: part.data } };
  if (part.data !== undefined) return { inlineData: { mimeType: part.mediaType ?? 'image/png', data: part.data } };
  return { fileData: { mimeType: part.mediaType ?? mediaTypeOfUrl(part.url ?? ''), fileUri: part.url ?? '' } };
}

function mediaTypeOfUrl(url: string): string {
  const ext = /\.([a-z0-9]+)(?:[?#]|$)/i.exec(url)?.[1]?.toLowerCase();
  if (ext === 'jpg' || ext === 'jpeg') return 'image/jpeg';
  if (ext === 'gif' || ext === 'webp' || ext === 'png') return `image/${ext}`;
  if (ext === 'pdf') return 'application/pdf';
  return 'image/png';
}

