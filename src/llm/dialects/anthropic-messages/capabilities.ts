import { FeatureList, SHARED_FEATURES, type CapabilityTable, type Feature, type FeatureUse } from '../capabilities.js';
import { isObject, type JsonObject } from '../check.js';

/** What a request translated into Anthropic Messages can carry. */
export const ANTHROPIC_MESSAGES_CAPABILITIES: CapabilityTable = Object.freeze({
  api: 'Anthropic Messages',
  carries: new Set<Feature>([
    ...SHARED_FEATURES,
    'top-k', 'server-tools', 'citations', 'thinking-history', 'redacted-thinking', 'document-source', 'tool-result-media',
    'mcp', 'container', 'service-tier',
  ]),
});

/** Top-level members, and the feature each uses (a function: only for some values). */
const TOP_LEVEL: Readonly<Record<string, Feature | ((value: unknown) => Feature | undefined) | null>> = {
  model: null,
  messages: null, // walked
  tools: null, // walked
  system: 'system',
  max_tokens: 'max-tokens',
  temperature: 'temperature',
  top_p: 'top-p',
  top_k: 'top-k',
  stop_sequences: 'stop-sequences',
  stream: 'stream',
  tool_choice: 'tool-choice',
  thinking: (v) => (isObject(v) && v.type === 'disabled' ? undefined : 'reasoning'),
  service_tier: (v) => (v === 'auto' ? undefined : 'service-tier'),
  container: 'container',
  mcp_servers: 'mcp',
};

const CACHEABLE_TEXT_KEYS = new Set(['type', 'text', 'cache_control']);
const IMAGE_KEYS = new Set(['type', 'source', 'cache_control']);
const DOCUMENT_KEYS = new Set(['type', 'source', 'title', 'context', 'citations', 'cache_control']);
const TOOL_RESULT_KEYS = new Set(['type', 'tool_use_id', 'content', 'is_error', 'cache_control']);
const TOOL_USE_KEYS = new Set(['type', 'id', 'name', 'input', 'cache_control']);
const TOOL_KEYS = new Set(['type', 'name', 'description', 'input_schema', 'cache_control']);
const TOOL_CHOICE_KEYS = new Set(['type', 'name', 'disable_parallel_tool_use']);
const METADATA_KEYS = new Set(['user_id']);

/**
 * The features an Anthropic Messages request uses, each at its field path. Anything this walk
 * does not know is `unknown` — a translation would lose it.
 */
export function anthropicMessagesFeatures(body: unknown): FeatureUse[] {
  const list = new FeatureList();
  if (!isObject(body)) return list.uses;
  for (const [key, value] of Object.entries(body)) {
    if (value === null || value === undefined) continue;
    if (key === 'metadata') {
      if (isObject(value)) {
        list.unknownKeys(value, METADATA_KEYS, 'metadata');
        if (typeof value.user_id === 'string') list.add('end-user', 'metadata.user_id');
      }
      continue;
    }
    if (!(key in TOP_LEVEL)) {
      list.add('unknown', key);
      continue;
    }
    const rule = TOP_LEVEL[key];
    const feature = typeof rule === 'function' ? rule(value) : rule;
    if (feature !== null && feature !== undefined) list.add(feature, key);
  }
  if (Array.isArray(body.system)) body.system.forEach((block, i) => textBlock(list, block, `system[${i}]`));
  if (isObject(body.tool_choice)) {
    list.unknownKeys(body.tool_choice, TOOL_CHOICE_KEYS, 'tool_choice');
    if (body.tool_choice.disable_parallel_tool_use === true) list.add('parallel-tool-calls', 'tool_choice.disable_parallel_tool_use');
  }
  if (Array.isArray(body.tools)) {
    body.tools.forEach((t, i) => {
      const path = `tools[${i}]`;
      if (!isObject(t)) return;
      if (t.type !== undefined && t.type !== 'custom') return list.add('server-tools', path);
      list.add('tools', path);
      list.unknownKeys(t, TOOL_KEYS, path);
      cacheControl(list, t, path);
    });
  }
  if (Array.isArray(body.messages)) {
    body.messages.forEach((m, i) => {
      const path = `messages[${i}]`;
      if (!isObject(m)) return;
      list.unknownKeys(m, new Set(['role', 'content']), path);
      if (Array.isArray(m.content)) m.content.forEach((block, j) => contentBlock(list, block, `${path}.content[${j}]`, m.role === 'assistant'));
    });
  }
  return list.uses;
}

function cacheControl(list: FeatureList, block: JsonObject, path: string): void {
  if (block.cache_control !== undefined && block.cache_control !== null) list.add('prompt-caching', `${path}.cache_control`);
}

function textBlock(list: FeatureList, raw: unknown, path: string): void {
  if (!isObject(raw)) return;
  if (raw.type !== 'text') return list.add('unknown', path);
  list.unknownKeys(raw, CACHEABLE_TEXT_KEYS, path);
  cacheControl(list, raw, path);
}

function contentBlock(list: FeatureList, raw: unknown, path: string, assistant: boolean): void {
  if (!isObject(raw)) return;
  switch (raw.type) {
    case 'text':
      if (raw.citations !== undefined && raw.citations !== null) list.add('citations', `${path}.citations`);
      list.unknownKeys(raw, new Set([...CACHEABLE_TEXT_KEYS, 'citations']), path);
      cacheControl(list, raw, path);
      return;
    case 'image':
      if (assistant) list.add('unknown', path);
      list.add('image', path);
      list.unknownKeys(raw, IMAGE_KEYS, path);
      cacheControl(list, raw, path);
      return;
    case 'document':
      document(list, raw, path);
      return;
    case 'tool_result':
      list.add('tool-results', path);
      list.unknownKeys(raw, TOOL_RESULT_KEYS, path);
      cacheControl(list, raw, path);
      if (Array.isArray(raw.content)) {
        raw.content.forEach((block, k) => {
          const p = `${path}.content[${k}]`;
          if (isObject(block) && block.type === 'text') textBlock(list, block, p);
          else list.add('tool-result-media', p);
        });
      }
      return;
    case 'tool_use':
      list.unknownKeys(raw, TOOL_USE_KEYS, path);
      cacheControl(list, raw, path);
      return;
    case 'thinking':
      list.add('thinking-history', path);
      return;
    case 'redacted_thinking':
      list.add('redacted-thinking', path);
      return;
    case 'server_tool_use':
    case 'web_search_tool_result':
    case 'web_fetch_tool_result':
    case 'code_execution_tool_result':
      list.add('server-tools', path);
      return;
    default:
      list.add('unknown', path);
  }
}

function document(list: FeatureList, raw: JsonObject, path: string): void {
  list.unknownKeys(raw, DOCUMENT_KEYS, path);
  cacheControl(list, raw, path);
  const source = raw.source;
  if (isObject(source) && source.type === 'base64' && source.media_type === 'application/pdf') list.add('pdf', path);
  else list.add('document-source', `${path}.source`);
  if (isObject(raw.citations) && raw.citations.enabled === true) list.add('citations', `${path}.citations`);
  if (raw.context !== undefined && raw.context !== null) list.add('document-source', `${path}.context`);
}
