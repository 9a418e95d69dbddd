import type { ChatResponse } from '../../types.js';

/**
 * A route's `defaultResponse` template with `{{model}}` (the name the caller asked for) and
 * `{{request_id}}` substituted.
 *
 * @example fillDefaultTemplate('{{model}} is unavailable (ref {{request_id}})', 'gpt-4', 'req-1') // 'gpt-4 is unavailable (ref req-1)'
 */
export function fillDefaultTemplate(template: string, model: string, requestId: string): string {
  return template.replace(/\{\{\s*(model|request_id)\s*\}\}/g, (_m, name: string) => (name === 'model' ? model : requestId));
}

/** The default answer as a canonical response: `content`, no usage, finished normally. */
export function defaultChatResponse(content: string, model: string, requestId: string, nowMs: number): ChatResponse {
  return {
    id: `bulwark-default-${requestId}`,
    model,
    content,
    finishReason: 'stop',
    usage: { inputTokens: 0, outputTokens: 0 },
    created: Math.floor(nowMs / 1000),
  };
}
