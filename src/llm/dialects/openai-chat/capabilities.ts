import { FeatureList, SHARED_FEATURES, type CapabilityTable, type Feature, type FeatureUse } from '../capabilities.js';
import { isObject, type JsonObject } from '../check.js';

/** What a request translated into OpenAI Chat Completions can carry. */
export const OPENAI_CHAT_CAPABILITIES: CapabilityTable = Object.freeze({
  api: 'OpenAI Chat Completions',
  carries: new Set<Feature>([
    ...SHARED_FEATURES,
    'several-choices', 'logprobs', 'frequency-penalty', 'presence-penalty', 'logit-bias', 'seed', 'strict-tools', 'message-name',
    'image-detail', 'audio', 'files-by-id', 'prediction', 'verbosity', 'stored-completion', 'request-metadata', 'prompt-cache-key',
    'service-tier', 'web-search',
  ]),
});

/** Top-level members, and the feature each uses (a function: only for some values). */
const TOP_LEVEL: Readonly<Record<string, Feature | ((value: unknown) => Feature | undefined) | null>> = {
  model: null,
  messages: null, // walked
  tools: null, // walked
  max_tokens: 'max-tokens',
  max_completion_tokens: 'max-tokens',
  temperature: 'temperature',
  top_p: 'top-p',
  stop: 'stop-sequences',
  stream: 'stream',
  stream_options: 'stream',
  tool_choice: 'tool-choice',
  user: 'end-user',
  safety_identifier: 'end-user',
  response_format: (v) => (isObject(v) && v.type === 'text' ? undefined : 'structured-output'),
  parallel_tool_calls: 'parallel-tool-calls',
  reasoning_effort: 'reasoning',
  n: (v) => (v === 1 ? undefined : 'several-choices'),
  logprobs: (v) => (v === false ? undefined : 'logprobs'),
  top_logprobs: (v) => (v === 0 ? undefined : 'logprobs'),
  frequency_penalty: (v) => (v === 0 ? undefined : 'frequency-penalty'),
  presence_penalty: (v) => (v === 0 ? undefined : 'presence-penalty'),
  logit_bias: (v) => (isObject(v) && Object.keys(v).length === 0 ? undefined : 'logit-bias'),
  seed: 'seed',
  metadata: (v) => (isObject(v) && Object.keys(v).length === 0 ? undefined : 'request-metadata'),
  store: (v) => (v === false ? undefined : 'stored-completion'),
  prediction: 'prediction',
  verbosity: 'verbosity',
  prompt_cache_key: 'prompt-cache-key',
  service_tier: (v) => (v === 'auto' ? undefined : 'service-tier'),
  modalities: (v) => (Array.isArray(v) && v.every((m) => m === 'text') ? undefined : 'audio'),
  audio: 'audio',
  web_search_options: 'web-search',
};

const MESSAGE_KEYS: Readonly<Record<string, ReadonlySet<string>>> = {
  system: new Set(['role', 'content', 'name']),
  developer: new Set(['role', 'content', 'name']),
  user: new Set(['role', 'content', 'name']),
  assistant: new Set(['role', 'content', 'name', 'tool_calls', 'refusal', 'audio', 'reasoning_content']),
  tool: new Set(['role', 'content', 'tool_call_id']),
};
const TOOL_KEYS = new Set(['type', 'function']);
const FUNCTION_KEYS = new Set(['name', 'description', 'parameters', 'strict']);
const TEXT_PART_KEYS = new Set(['type', 'text']);
const IMAGE_KEYS = new Set(['url', 'detail']);
const FILE_KEYS = new Set(['file_data', 'filename', 'file_id']);

/**
 * The features an OpenAI Chat Completions request uses, each at its field path. Anything this
 * walk does not know is `unknown` — a translation would lose it.
 */
export function openAIChatFeatures(body: unknown): FeatureUse[] {
  const list = new FeatureList();
  if (!isObject(body)) return list.uses;
  for (const [key, value] of Object.entries(body)) {
    if (value === null || value === undefined) continue;
    if (!(key in TOP_LEVEL)) {
      list.add('unknown', key);
      continue;
    }
    const rule = TOP_LEVEL[key];
    const feature = typeof rule === 'function' ? rule(value) : rule;
    if (feature !== null && feature !== undefined) list.add(feature, key);
  }
  if (Array.isArray(body.messages)) body.messages.forEach((m, i) => message(list, m, `messages[${i}]`));
  if (Array.isArray(body.tools)) {
    body.tools.forEach((t, i) => {
      const path = `tools[${i}]`;
      if (!isObject(t)) return;
      list.add('tools', path);
      list.unknownKeys(t, TOOL_KEYS, path);
      if (t.type !== 'function') list.add('unknown', `${path}.type`);
      if (isObject(t.function)) {
        list.unknownKeys(t.function, FUNCTION_KEYS, `${path}.function`);
        if (t.function.strict === true) list.add('strict-tools', `${path}.function.strict`);
      }
    });
  }
  return list.uses;
}

function message(list: FeatureList, raw: unknown, path: string): void {
  if (!isObject(raw)) return;
  const role = typeof raw.role === 'string' ? raw.role : '';
  const known = MESSAGE_KEYS[role];
  if (known === undefined) {
    list.add('unknown', `${path}.role`);
    return;
  }
  list.unknownKeys(raw, known, path);
  if (typeof raw.name === 'string') list.add('message-name', `${path}.name`);
  if (role === 'system' || role === 'developer') list.add('system', path);
  if (role === 'tool') list.add('tool-results', path);
  if (raw.audio !== undefined && raw.audio !== null) list.add('audio', `${path}.audio`);
  if (typeof raw.reasoning_content === 'string' && raw.reasoning_content !== '') list.add('thinking-history', `${path}.reasoning_content`);
  if (Array.isArray(raw.content)) raw.content.forEach((part, j) => contentPart(list, part, `${path}.content[${j}]`, role));
}

function contentPart(list: FeatureList, raw: unknown, path: string, role: string): void {
  if (!isObject(raw)) return;
  switch (raw.type) {
    case 'text':
      list.unknownKeys(raw, TEXT_PART_KEYS, path);
      return;
    case 'refusal':
      if (role !== 'assistant') list.add('unknown', path);
      return;
    case 'image_url':
      if (role !== 'user') list.add('unknown', path);
      list.add('image', path);
      if (isObject(raw.image_url)) {
        list.unknownKeys(raw.image_url, IMAGE_KEYS, `${path}.image_url`);
        const detail = raw.image_url.detail;
        if (detail !== undefined && detail !== null && detail !== 'auto') list.add('image-detail', `${path}.image_url.detail`);
      }
      return;
    case 'input_audio':
      list.add('audio', path);
      return;
    case 'file':
      filepart(list, raw, path);
      return;
    default:
      list.add('unknown', path);
  }
}

function filepart(list: FeatureList, raw: JsonObject, path: string): void {
  const file = raw.file;
  if (!isObject(file)) return list.add('unknown', path);
  list.unknownKeys(file, FILE_KEYS, `${path}.file`);
  if (typeof file.file_id === 'string') return list.add('files-by-id', `${path}.file.file_id`);
  if (typeof file.file_data === 'string' && file.file_data.startsWith('data:application/pdf;base64,')) return list.add('pdf', path);
  list.add('unknown', `${path}.file`);
}
