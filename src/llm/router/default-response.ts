import type { ChatResponse } from '../types.js';

/**
 * The route's answer of last resort: its template with `{{model}}` (the name the caller asked
 * for) and `{{request_id}}` substituted. Served by `default`, always marked degraded.
 *
 * @example renderDefaultResponse('{{model}} is unavailable (ref {{request_id}})', 'gpt-4', 'req-1', 0)
 */
export function renderDefaultResponse(template: string, model: string, requestId: string, nowMs: number): ChatResponse {
  const content = template.replace(/\{\{\s*(model|request_id)\s*\}\}/g, (_m, name: string) => (name === 'model' ? model : requestId));
  return {
    id: `bulwark-default-${requestId}`,
    model,
    content,
    finishReason: 'stop',
    usage: { inputTokens: 0, outputTokens: 0 },
    created: Math.floor(nowMs / 1000),
  };
}
