/**
 * Prompt caching in the mock's Anthropic dialect. Each `cache_control` marks a breakpoint: the
 * prompt up to it (tools, then system, then messages) is fingerprinted. The first request with
 * a prefix writes it (`cache_creation_input_tokens`), a later one on the same deployment and
 * model reads it (`cache_read_input_tokens`); `input_tokens` is only what is left after the
 * breakpoint, as Anthropic reports it. Usage carries the two cache fields only when the request
 * had a breakpoint.
 */
import { CHARS_PER_TOKEN, shortHash, type MockCacheBreakpoint, type MockTurn } from './answer.js';
import { anthropicBlockText } from './anthropic-text.js';
import type { MockContext } from './dialect.js';

type Body = { model?: unknown; tools?: unknown; system?: unknown; messages?: unknown };

/** Every breakpoint of a Messages body, in prompt order (empty when nothing has `cache_control`). */
export function cacheBreakpoints(body: Body): MockCacheBreakpoint[] {
  const breakpoints: MockCacheBreakpoint[] = [];
  let prefix = `${String(body.model)}\u0000`;
  let chars = 0;
  const visit = (block: unknown, role: string) => {
    if (!block || typeof block !== 'object') return;
    const { cache_control: marker, ...rest } = block as Record<string, unknown>;
    prefix += `${role}:${JSON.stringify(rest)}\u0000`;
    if (role !== 'tool') chars += anthropicBlockText(block).length;
    if (marker) breakpoints.push({ key: `${shortHash(prefix)}:${prefix.length}`, chars });
  };
  if (Array.isArray(body.tools)) for (const tool of body.tools) visit(tool, 'tool');
  if (typeof body.system === 'string') visit({ type: 'text', text: body.system }, 'system');
  else if (Array.isArray(body.system)) for (const block of body.system) visit(block, 'system');
  if (Array.isArray(body.messages)) {
    for (const message of body.messages as Array<{ role?: unknown; content?: unknown }>) {
      const role = String(message?.role);
      if (typeof message?.content === 'string') visit({ type: 'text', text: message.content }, role);
      else if (Array.isArray(message?.content)) for (const block of message.content) visit(block, role);
    }
  }
  return breakpoints;
}

/** Cache tokens of one answered request (and the prefixes remembered); undefined without breakpoints. */
export interface MockCacheUsage {
  creation: number;
  read: number;
}

/** Reads and writes the deployment's cache for this turn's breakpoints. */
export function applyCache(turn: MockTurn, context: MockContext | undefined): MockCacheUsage | undefined {
  const breakpoints = turn.cacheBreakpoints;
  if (!breakpoints || breakpoints.length === 0) return undefined;
  let readChars = 0;
  for (const bp of breakpoints) {
    if (bp.chars > readChars && context?.state.hasCachePrefix(context.deployment, bp.key)) readChars = bp.chars;
  }
  for (const bp of breakpoints) context?.state.addCachePrefix(context.deployment, bp.key);
  const read = Math.floor(readChars / CHARS_PER_TOKEN);
  const creation = Math.floor(breakpoints[breakpoints.length - 1].chars / CHARS_PER_TOKEN) - read;
  return { creation, read };
}
