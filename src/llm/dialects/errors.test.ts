import { describe, expect, it } from 'vitest';
import { BulkheadRejectedError, BulwarkError } from '../../core/errors.js';
import { ERROR_MEANINGS, LLM_ERROR_KINDS, LlmError, UnknownModelError } from '../errors.js';
import { fromAnthropicErrorBody, fromOpenAIErrorBody, toAnthropicErrorBody, toOpenAIErrorBody } from './errors.js';

describe('error bodies sent to clients', () => {
  it.each([
    ['rate_limited', 'rate_limit_error', 'rate_limit_exceeded', 'rate_limit_error'],
    ['overloaded', 'server_error', 'BULWARK_ERR_LLM_OVERLOADED', 'overloaded_error'],
    ['server_error', 'server_error', 'BULWARK_ERR_LLM_SERVER_ERROR', 'api_error'],
    ['timeout', 'timeout_error', 'BULWARK_ERR_LLM_TIMEOUT', 'timeout_error'],
    ['connection', 'server_error', 'BULWARK_ERR_LLM_CONNECTION', 'api_error'],
    ['context_length_exceeded', 'invalid_request_error', 'context_length_exceeded', 'invalid_request_error'],
    ['content_filtered', 'invalid_request_error', 'content_filter', 'invalid_request_error'],
    ['auth', 'server_error', 'BULWARK_ERR_LLM_AUTH', 'api_error'],
    ['bad_request', 'invalid_request_error', 'BULWARK_ERR_LLM_BAD_REQUEST', 'invalid_request_error'],
    ['cancelled', 'invalid_request_error', 'BULWARK_ERR_LLM_CANCELLED', 'invalid_request_error'],
    ['invalid_request', 'invalid_request_error', 'BULWARK_ERR_LLM_INVALID_REQUEST', 'invalid_request_error'],
    ['internal', 'server_error', 'BULWARK_ERR_LLM_INTERNAL', 'api_error'],
    ['gateway_overloaded', 'server_error', 'BULWARK_ERR_LLM_GATEWAY_OVERLOADED', 'overloaded_error'],
  ] as const)('LlmError %s → OpenAI %s/%s, Anthropic %s', (kind, openaiType, openaiCode, anthropicType) => {
    const error = new LlmError(kind, `m-${kind}`);
    expect(toOpenAIErrorBody(error, 'messages')).toEqual({ error: { message: `m-${kind}`, type: openaiType, code: openaiCode, param: 'messages' } });
    expect(toAnthropicErrorBody(error)).toEqual({ type: 'error', error: { type: anthropicType, message: `m-${kind}` } });
  });

  it('covers every kind in the catalog', () => {
    expect(LLM_ERROR_KINDS).toHaveLength(13);
  });

  it('fills param from the error when the caller names none', () => {
    const error = new LlmError('invalid_request', 'bad', { param: 'messages[0].content' });
    expect(toOpenAIErrorBody(error).error.param).toBe('messages[0].content');
  });
});

describe('what each error kind means (the one table)', () => {
  it.each([
    // kind, blame, status, retryable, breaker, chain, clientError
    ['rate_limited', 'upstream', 429, true, 'failure', 'next', false],
    ['overloaded', 'upstream', 503, true, 'failure', 'next', false],
    ['server_error', 'upstream', 502, true, 'failure', 'next', false],
    ['timeout', 'upstream', 504, true, 'failure', 'next', false],
    ['connection', 'upstream', 502, true, 'failure', 'next', false],
    ['auth', 'upstream', 502, false, 'failure', 'unhealthy', false],
    ['context_length_exceeded', 'request', 400, false, 'success', 'context', true],
    ['content_filtered', 'request', 400, false, 'success', 'content', true],
    ['bad_request', 'request', 400, false, 'success', 'answer', true],
    ['cancelled', 'caller', 499, false, 'ignore', 'answer', true],
    ['invalid_request', 'request', 400, false, 'ignore', 'answer', true],
    ['internal', 'gateway', 500, false, 'ignore', 'answer', false],
    ['gateway_overloaded', 'gateway', 503, true, 'ignore', 'next', false],
  ] as const)('%s: blame %s, status %d, retryable %s, breaker %s, chain %s, client error %s', (kind, blame, status, retryable, breaker, chain, clientError) => {
    expect(ERROR_MEANINGS[kind]).toEqual({ blame, status, retryable, breaker, chain, clientError });
    const error = new LlmError(kind, 'x');
    expect([error.status, error.retryable, error.countsAsFailure]).toEqual([status, retryable, breaker === 'failure']);
  });

  it('only what the upstream did counts against a deployment', () => {
    for (const kind of LLM_ERROR_KINDS) expect(ERROR_MEANINGS[kind].breaker === 'failure').toBe(ERROR_MEANINGS[kind].blame === 'upstream');
  });

  it.each([
    [new UnknownModelError('gpt-9'), 'invalid_request_error', 'model_not_found', 'not_found_error'],
    [new BulkheadRejectedError(1, 0), 'server_error', 'BULWARK_ERR_BULKHEAD_REJECTED', 'api_error'],
    [new BulwarkError('BULWARK_ERR_X', 413, 'too big'), 'invalid_request_error', 'BULWARK_ERR_X', 'request_too_large'],
    [new BulwarkError('BULWARK_ERR_Y', 401, 'who are you'), 'authentication_error', 'BULWARK_ERR_Y', 'authentication_error'],
  ])('other Bulwark errors use their status: %s', (error, openaiType, openaiCode, anthropicType) => {
    expect(toOpenAIErrorBody(error).error).toMatchObject({ type: openaiType, code: openaiCode, message: error.message });
    expect(toAnthropicErrorBody(error).error).toEqual({ type: anthropicType, message: error.message });
  });

  it('hides the message of an unknown error', () => {
    const error = new Error('secret internal detail at /srv/app.js:12');
    expect(toOpenAIErrorBody(error)).toEqual({ error: { message: 'Internal error', type: 'server_error', code: null, param: null } });
    expect(toAnthropicErrorBody(error)).toEqual({ type: 'error', error: { type: 'api_error', message: 'Internal error' } });
  });
});

describe('upstream error bodies', () => {
  it('classify per dialect and name the source', () => {
    const openai = fromOpenAIErrorBody(400, {}, { error: { message: 'too long', type: 'invalid_request_error', code: 'context_length_exceeded', param: 'messages' } });
    expect(openai.kind).toBe('context_length_exceeded');
    expect(openai.message).toBe('OpenAI answered 400: too long');
    const anthropic = fromAnthropicErrorBody(529, {}, { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } });
    expect(anthropic.kind).toBe('overloaded');
    expect(anthropic.message).toBe('Anthropic answered 529: Overloaded');
  });
});
