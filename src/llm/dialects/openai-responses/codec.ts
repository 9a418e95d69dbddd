/**
 * A canonical answer written as an OpenAI Responses answer: the JSON response object, and the
 * streamed event sequence (response.created … response.completed). Used for what the gateway
 * answers itself on a Responses route — the default answer, a cache replay of it — never for
 * an upstream's answer, which passes through as it came.
 */
import type { ChatResponse, StreamEvent, Usage } from '../../types.js';
import type { ClientEncoder } from '../wire/wire-dialect.js';
import { toOpenAIErrorBody } from '../errors.js';

type Json = Record<string, unknown>;

function usageJson(usage: Usage | undefined): Json {
  const input = usage?.inputTokens ?? 0;
  const output = usage?.outputTokens ?? 0;
  return { input_tokens: input, input_tokens_details: { cached_tokens: 0 }, output_tokens: output, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: input + output };
}

function responseShell(id: string, model: string, created: number, completed: boolean, output: Json[], usage: Usage | undefined): Json {
  return {
    id, object: 'response', created_at: created, status: completed ? 'completed' : 'in_progress', error: null, incomplete_details: null,
    model, output, usage: completed ? usageJson(usage) : null,
  };
}

const messageItem = (id: string, text: string, status: string): Json => ({
  id: `msg_${id}`, type: 'message', status, role: 'assistant', content: status === 'completed' ? [{ type: 'output_text', text, annotations: [] }] : [],
});

/** A canonical response as a Responses object (text and function calls). */
export function responsesJson(response: ChatResponse): string {
  const output: Json[] = [];
  if (response.content !== '' || !response.toolCalls?.length) output.push(messageItem(response.id, response.content, 'completed'));
  for (const call of response.toolCalls ?? []) {
    output.push({ id: `fc_${call.id}`, type: 'function_call', status: 'completed', arguments: call.arguments, call_id: call.id, name: call.name });
  }
  return JSON.stringify(responseShell(response.id, response.model, response.created, true, output, response.usage));
}

/** Canonical stream events as Responses events (one message item; function calls as their own items). */
export class ResponsesEncoder implements ClientEncoder {
  private sequence = 0;
  private id = '';
  private model = '';
  private text = '';
  private textOpen = false;
  private readonly calls: Array<{ id: string; name: string; arguments: string }> = [];

  constructor(private readonly createdSeconds: number) {}

  private event(type: string, fields: Json): string {
    return `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: this.sequence++, ...fields })}\n\n`;
  }

  encode(event: StreamEvent): string {
    switch (event.type) {
      case 'start': {
        this.id = event.id;
        this.model = event.model;
        const shell = responseShell(this.id, this.model, this.createdSeconds, false, [], undefined);
        return this.event('response.created', { response: shell }) + this.event('response.in_progress', { response: shell });
      }
      case 'text': {
        let out = '';
        const at = { item_id: `msg_${this.id}`, output_index: 0, content_index: 0 };
        if (!this.textOpen) {
          this.textOpen = true;
          out += this.event('response.output_item.added', { output_index: 0, item: messageItem(this.id, '', 'in_progress') });
          out += this.event('response.content_part.added', { ...at, part: { type: 'output_text', text: '', annotations: [] } });
        }
        this.text += event.text;
        return out + this.event('response.output_text.delta', { ...at, delta: event.text });
      }
      case 'reasoning':
        return ''; // the gateway's own answers (default, replays) carry no reasoning
      case 'tool_call_start':
        this.calls.push({ id: event.id, name: event.name, arguments: '' });
        return '';
      case 'tool_call_delta':
        if (this.calls[event.index]) this.calls[event.index].arguments += event.argumentsDelta;
        return '';
      case 'finish':
        return this.finish(event.usage);
    }
  }

  private finish(usage: Usage | undefined): string {
    let out = '';
    const output: Json[] = [];
    if (this.textOpen || this.calls.length === 0) {
      const at = { item_id: `msg_${this.id}`, output_index: 0, content_index: 0 };
      if (!this.textOpen) out += this.event('response.output_item.added', { output_index: 0, item: messageItem(this.id, '', 'in_progress') });
      out += this.event('response.output_text.done', { ...at, text: this.text });
      out += this.event('response.content_part.done', { ...at, part: { type: 'output_text', text: this.text, annotations: [] } });
      const item = messageItem(this.id, this.text, 'completed');
      out += this.event('response.output_item.done', { output_index: 0, item });
      output.push(item);
    }
    for (const call of this.calls) {
      const item = { id: `fc_${call.id}`, type: 'function_call', status: 'completed', arguments: call.arguments, call_id: call.id, name: call.name };
      out += this.event('response.output_item.added', { output_index: output.length, item: { ...item, status: 'in_progress', arguments: '' } });
      out += this.event('response.function_call_arguments.done', { item_id: item.id, output_index: output.length, arguments: call.arguments });
      out += this.event('response.output_item.done', { output_index: output.length, item });
      output.push(item);
    }
    return out + this.event('response.completed', { response: responseShell(this.id, this.model, this.createdSeconds, true, output, usage) });
  }
}

/** A Responses stream's `error` event for a stream that broke after its first bytes (the SDKs raise it as an APIError). */
export function responsesStreamError(error: unknown): string {
  const { error: e } = toOpenAIErrorBody(error);
  return `event: error\ndata: ${JSON.stringify({ type: 'error', code: e.code, message: e.message, param: e.param })}\n\n`;
}
