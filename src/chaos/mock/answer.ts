/**
 * The mock's deterministic answers. A reply depends only on the request (and the deployment it
 * was sent to), so tests can tell which model or deployment answered and replay runs exactly.
 */

/** A parsed request, common to both dialects. */
export interface MockTurn {
  model: string;
  stream: boolean;
  /** OpenAI `stream_options.include_usage`. */
  includeUsage: boolean;
  /** Text of the last user message ('' if none). */
  lastUserText: string;
  /** True when the conversation ends with a user text message (not a tool result). */
  endsWithUserText: boolean;
  /** Characters of all prompt text (system + messages). */
  promptChars: number;
  tools: MockTool[];
  /** A tool the caller forced (`tool_choice`), or `'any'` when any tool is required. */
  forcedTool: string | undefined;
  /**
   * Anthropic: the text of a final assistant message (a prefill), which the answer continues —
   * an answer that starts with it is given from where it stops, as the Messages API does.
   */
  prefill?: string;
  /** Anthropic extended thinking was asked for (`thinking.type` `enabled` or `adaptive`). */
  thinking?: boolean;
  /** Anthropic `cache_control` breakpoints in prompt order: the prefix each one closes. */
  cacheBreakpoints?: readonly MockCacheBreakpoint[];
  /**
   * What one endpoint parsed for its own answer (Responses input, embedding inputs, an id from
   * the path…); only the wire that parsed it reads it.
   */
  detail?: unknown;
}

/** One Anthropic cache breakpoint: a fingerprint of the prompt up to it, and its length. */
export interface MockCacheBreakpoint {
  key: string;
  chars: number;
}

export interface MockTool {
  name: string;
  /** JSON Schema of the arguments object. */
  parameters: Record<string, unknown>;
}

export interface MockReply {
  /** The answer text; null when the reply is a tool call. */
  text: string | null;
  toolCall: { id: string; name: string; arguments: string } | null;
  promptTokens: number;
  completionTokens: number;
}

/** Phrase in the last user message that makes the mock call a tool (when tools are given). */
export const TOOL_TRIGGER = 'use tool';
/** Prefix of the last user message that makes the mock answer with the rest, verbatim. */
export const ECHO_PREFIX = 'echo:';
/** Characters per token, for the deterministic usage counts. */
export const CHARS_PER_TOKEN = 4;

/** FNV-1a, 32 bits, as 8 hex digits: a short, stable fingerprint of a message. */
export function shortHash(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(16).padStart(8, '0');
}

/** Deterministic token count of `chars` characters (at least 1). */
export function tokensOf(chars: number): number {
  return Math.max(1, Math.ceil(chars / CHARS_PER_TOKEN));
}

/**
 * The text answer: the rest of the message after `echo:`, else
 * `mock answer from <model>[ via <deployment>]: <hash of the last user message>`.
 */
export function answerText(turn: MockTurn, deployment: string | undefined): string {
  const last = turn.lastUserText;
  const via = deployment === undefined ? '' : ` via ${deployment}`;
  const text = last.startsWith(ECHO_PREFIX) ? last.slice(ECHO_PREFIX.length).trim() : `mock answer from ${turn.model}${via}: ${shortHash(last)}`;
  const prefill = turn.prefill?.trimEnd();
  return prefill !== undefined && prefill !== '' && text.startsWith(prefill) ? text.slice(prefill.length) : text;
}

function sampleValue(schema: unknown): unknown {
  const s = (schema ?? {}) as { type?: unknown; enum?: unknown[]; properties?: Record<string, unknown>; required?: string[] };
  if (Array.isArray(s.enum) && s.enum.length > 0) return s.enum[0];
  const type = Array.isArray(s.type) ? s.type[0] : s.type;
  switch (type) {
    case 'string':
      return 'mock';
    case 'number':
    case 'integer':
      return 1;
    case 'boolean':
      return true;
    case 'array':
      return [];
    case 'object':
      return sampleObject(s);
    default:
      return null;
  }
}

function sampleObject(schema: { properties?: Record<string, unknown>; required?: string[] }): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const properties = schema.properties ?? {};
  for (const key of schema.required ?? Object.keys(properties)) out[key] = sampleValue(properties[key]);
  return out;
}

function chooseTool(turn: MockTurn): MockTool | undefined {
  if (turn.tools.length === 0) return undefined;
  if (turn.forcedTool && turn.forcedTool !== 'any') return turn.tools.find((t) => t.name === turn.forcedTool) ?? turn.tools[0];
  const wantsTool = turn.forcedTool === 'any' || (turn.endsWithUserText && turn.lastUserText.toLowerCase().includes(TOOL_TRIGGER));
  if (!wantsTool) return undefined;
  return turn.tools.find((t) => turn.lastUserText.includes(t.name)) ?? turn.tools[0];
}

/**
 * Builds the reply: a tool call when tools are given and the last user message contains
 * {@link TOOL_TRIGGER} (or `tool_choice` forces one), with arguments filled from the tool's
 * schema (required fields: strings `"mock"`, numbers 1, booleans true, enums their first value);
 * otherwise {@link answerText}.
 */
export function buildReply(turn: MockTurn, deployment: string | undefined, toolCallId: string): MockReply {
  const promptTokens = tokensOf(turn.promptChars);
  const tool = chooseTool(turn);
  if (tool) {
    const args = JSON.stringify(sampleObject(tool.parameters as { properties?: Record<string, unknown>; required?: string[] }));
    return { text: null, toolCall: { id: toolCallId, name: tool.name, arguments: args }, promptTokens, completionTokens: tokensOf(tool.name.length + args.length) };
  }
  const text = answerText(turn, deployment);
  return { text, toolCall: null, promptTokens, completionTokens: tokensOf(text.length) };
}

/** Splits answer text into stream pieces: one per word, spaces kept with the following word. */
export function splitForStream(text: string): string[] {
  const pieces = text.match(/\s*\S+/g);
  return pieces ?? [text];
}

/** The turn of a request that carries no prompt (a lookup by id): only the model matters, for the fault plan. */
export function lookupTurn(model: string, detail?: unknown): MockTurn {
  return { model, stream: false, includeUsage: false, lastUserText: '', endsWithUserText: false, promptChars: 0, tools: [], forcedTool: undefined, detail };
}
