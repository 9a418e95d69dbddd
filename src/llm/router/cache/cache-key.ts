import { hash } from 'node:crypto';
import type { ChatMessage, ChatRequest, ContentPart } from '../../types.js';

/** Bumped when the key's recipe changes, so old entries are simply never found again. */
const KEY_VERSION = 'v2';

/**
 * The exact-match cache key of a request: a SHA-256 of the route, the tenant, and everything
 * that changes the answer (system, messages, max tokens, temperature, top_p, stop, tools, tool
 * choice, seed, response format). The tenant is part of the hash, so one tenant's answers are never served to
 * another. `user` (an abuse-tracking id) is left out: it does not change the answer.
 *
 * @example cacheKey('gpt-4', request, 'acme') // 'bulwark:cache:v2:9f86d0…'
 */
export function cacheKey(route: string, request: ChatRequest, tenant: string): string {
  const normalized = [
    KEY_VERSION,
    route,
    tenant,
    request.system ?? null,
    request.messages.map(normalizeMessage),
    request.maxTokens ?? null,
    request.temperature ?? null,
    request.topP ?? null,
    request.stop ?? null,
    // JSON Schemas are objects written by hand: their key order must not matter.
    request.tools?.map((t) => [t.name, t.description ?? null, stableStringify(t.parameters)]) ?? null,
    request.toolChoice ?? null,
    request.seed ?? null,
    request.responseFormat === undefined ? null : request.responseFormat.type === 'json_object' ? 'json_object'
      : ['json_schema', request.responseFormat.name, stableStringify(request.responseFormat.schema), request.responseFormat.strict ?? null],
  ];
  // Everything else is arrays of primitives in a fixed order, so plain JSON is already canonical.
  return `bulwark:cache:${KEY_VERSION}:${hash('sha256', JSON.stringify(normalized), 'hex')}`;
}

function normalizeMessage(message: ChatMessage): unknown {
  switch (message.role) {
    case 'user':
      return ['user', typeof message.content === 'string' ? message.content : message.content.map(normalizePart)];
    case 'assistant':
      return ['assistant', message.content, message.toolCalls?.map((c) => [c.id, c.name, c.arguments]) ?? null];
    case 'tool':
      return ['tool', message.toolCallId, message.content, message.isError ?? false];
  }
}

function normalizePart(part: ContentPart): unknown {
  if (part.type === 'text') return ['text', part.text];
  if (part.type === 'document') return ['document', part.mediaType, part.data, part.title ?? null];
  return ['image', part.url ?? null, part.data ?? null, part.mediaType ?? null];
}

/** JSON with object keys sorted, so equal values always give equal text (JSON Schemas in tools). */
export function stableStringify(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  const object = value as Record<string, unknown>;
  const keys = Object.keys(object).filter((k) => object[k] !== undefined).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${stableStringify(object[k])}`).join(',')}}`;
}
