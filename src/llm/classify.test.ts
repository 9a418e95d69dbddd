import { connect } from 'node:net';
import { errors as undiciErrors } from 'undici';
import { describe, expect, it } from 'vitest';
import { classifyError, classifyHttpError, classifyStreamError, MAX_UPSTREAM_MESSAGE_CHARS, redactSecrets } from './classify.js';
import { LlmError } from './errors.js';
import { parseDurationMs, parseRetryAfterMs } from './retry-after.js';

const NOW = Date.UTC(2026, 0, 1);

describe('parseDurationMs', () => {
  it.each([
    ['1s', 1000], ['6m0s', 360_000], ['20ms', 20], ['1h2m3.5s', 3_723_500], ['0.5s', 500], ['2', 2000], ['1.5ms', 1.5],
  ])('%s → %d ms', (text, ms) => expect(parseDurationMs(text)).toBe(ms));
  it.each(['', 'soon', '5 minutes', '1x'])('rejects %j', (text) => expect(parseDurationMs(text)).toBeUndefined());
});

describe('parseRetryAfterMs', () => {
  it.each([
    ['retry-after-ms wins', { 'retry-after-ms': '250', 'retry-after': '3' }, 250],
    ['retry-after seconds', { 'retry-after': '3' }, 3000],
    ['retry-after HTTP date', { 'retry-after': new Date(NOW + 7000).toUTCString() }, 7000],
    ['retry-after date in the past', { 'retry-after': new Date(NOW - 7000).toUTCString() }, 0],
    ['openai reset, exhausted limit wins', { 'x-ratelimit-reset-requests': '20ms', 'x-ratelimit-remaining-requests': '0', 'x-ratelimit-reset-tokens': '1m', 'x-ratelimit-remaining-tokens': '900' }, 20],
    ['openai reset, none exhausted: longest', { 'x-ratelimit-reset-requests': '20ms', 'x-ratelimit-reset-tokens': '1s' }, 1000],
    ['anthropic RFC 3339 reset', { 'anthropic-ratelimit-tokens-reset': new Date(NOW + 12_000).toISOString() }, 12_000],
    ['nothing', {}, undefined],
    ['garbage', { 'retry-after': 'later' }, undefined],
  ])('%s', (_label, headers, expected) => expect(parseRetryAfterMs(headers as Record<string, string>, NOW)).toBe(expected));

  it('reads WHATWG Headers too', () => {
    expect(parseRetryAfterMs(new Headers({ 'Retry-After': '4' }), NOW)).toBe(4000);
  });
});

describe('classifyHttpError', () => {
  it.each([
    [429, {}, 'rate_limited'],
    [429, { error: { message: 'You exceeded your current quota', type: 'insufficient_quota', code: 'insufficient_quota' } }, 'auth'],
    [529, {}, 'overloaded'],
    [503, {}, 'overloaded'],
    [500, {}, 'server_error'],
    [502, {}, 'server_error'],
    [504, {}, 'server_error'],
    [408, {}, 'timeout'],
    [401, {}, 'auth'],
    [403, {}, 'auth'],
    [400, { error: { message: 'x', code: 'context_length_exceeded' } }, 'context_length_exceeded'],
    [400, { type: 'error', error: { type: 'invalid_request_error', message: 'prompt is too long: 210000 tokens > 200000 maximum' } }, 'context_length_exceeded'],
    [400, { type: 'error', error: { type: 'invalid_request_error', message: 'input length and `max_tokens` exceed context limit: 198000 + 8192 > 200000' } }, 'context_length_exceeded'],
    [413, { type: 'error', error: { type: 'request_too_large', message: 'Request exceeds the maximum allowed number of bytes.' } }, 'bad_request'],
    [400, { error: { message: 'filtered', code: 'content_filter' } }, 'content_filtered'],
    [400, { error: { message: 'blocked', code: 'content_policy_violation', innererror: { code: 'ResponsibleAIPolicyViolation' } } }, 'content_filtered'],
    [400, { type: 'error', error: { type: 'invalid_request_error', message: 'This request appears to violate our Usage Policy.' } }, 'content_filtered'],
    [400, { error: { message: 'Your request was rejected as a result of our safety system.', code: null } }, 'content_filtered'],
    [400, { error: { message: 'bad temperature' } }, 'bad_request'],
    [404, {}, 'bad_request'],
    [422, {}, 'bad_request'],
    [200, { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }, 'overloaded'],
  ])('%d %j → %s', (status, body, kind) => {
    const err = classifyHttpError(status, {}, JSON.stringify(body), { now: NOW });
    expect(err).toBeInstanceOf(LlmError);
    expect(err.kind).toBe(kind);
    expect(err.upstreamStatus).toBe(status);
  });

  it('keeps the upstream message, cut to a bounded length', () => {
    const err = classifyHttpError(400, {}, { error: { message: 'x'.repeat(5000) } }, { source: 'OpenAI' });
    expect(err.message.startsWith('OpenAI answered 400: xxx')).toBe(true);
    expect(err.message.length).toBeLessThanOrEqual(MAX_UPSTREAM_MESSAGE_CHARS + 1);
    expect(MAX_UPSTREAM_MESSAGE_CHARS).toBe(500);
  });

  it('never keeps a secret or a bearer token from the body', () => {
    const err = classifyHttpError(401, {}, 'invalid key sk-live-ABCDEFGH12345678 (Authorization: Bearer abcdefghijklmnop)', { secrets: ['sk-live-ABCDEFGH12345678'] });
    expect(err.message).not.toContain('ABCDEFGH');
    expect(err.message).not.toContain('abcdefghijklmnop');
    expect(redactSecrets('k=secret-value', ['secret-value'])).toBe('k=[redacted]');
  });

  it('never keeps part of a secret that straddles the length cut', () => {
    const key = 'sk-live-ABCDEFGH12345678';
    const prefix = 'OpenAI answered 401: ';
    // The key starts 10 characters before the cut: cutting first would leave "sk-live-AB".
    const detail = 'x'.repeat(MAX_UPSTREAM_MESSAGE_CHARS - prefix.length - 10) + key + ' rest';
    const http = classifyHttpError(401, {}, { error: { message: detail } }, { source: 'OpenAI', secrets: [key] });
    expect(http.message).not.toContain('sk-live');
    const thrown = classifyError(new Error('y'.repeat(MAX_UPSTREAM_MESSAGE_CHARS - 30) + key), { secrets: [key] });
    expect(thrown.message).not.toContain('sk-live');
  });

  it('maps in-stream error types without a status', () => {
    expect(classifyStreamError({ type: 'error', error: { type: 'overloaded_error', message: 'o' } }).kind).toBe('overloaded');
    expect(classifyStreamError({ type: 'error', error: { type: 'api_error', message: 'o' } }).kind).toBe('server_error');
    expect(classifyStreamError({ error: { message: 'r', code: 'rate_limit_exceeded' } }).kind).toBe('rate_limited');
  });
});

describe('classifyError', () => {
  it.each([
    ['undici headers timeout', new undiciErrors.HeadersTimeoutError(), 'timeout'],
    ['undici body timeout', new undiciErrors.BodyTimeoutError(), 'timeout'],
    ['undici connect timeout', new undiciErrors.ConnectTimeoutError(), 'timeout'],
    ['undici socket error', new undiciErrors.SocketError('other side closed'), 'connection'],
    ['undici client closed', new undiciErrors.ClientClosedError(), 'connection'],
    ['undici request aborted', new undiciErrors.RequestAbortedError(), 'cancelled'],
    ['DOM AbortError', new DOMException('aborted', 'AbortError'), 'cancelled'],
    ['AbortSignal.timeout reason', new DOMException('timed out', 'TimeoutError'), 'timeout'],
    ['fetch failed wrapping ECONNRESET', new TypeError('fetch failed', { cause: Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }) }), 'connection'],
    ['DNS failure', Object.assign(new Error('getaddrinfo ENOTFOUND api.example'), { code: 'ENOTFOUND' }), 'connection'],
    ['TLS failure', Object.assign(new Error('self-signed certificate'), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' }), 'connection'],
    ['unknown', new Error('weird'), 'server_error'],
  ])('%s → %s', (_label, error, kind) => {
    const err = classifyError(error);
    expect(err.kind).toBe(kind);
    expect(err.cause).toBe(error);
  });

  it('classifies a real refused connection', async () => {
    const error = await new Promise<Error>((resolve) => {
      const socket = connect(1, '127.0.0.1');
      socket.on('error', resolve);
    });
    expect(classifyError(error).kind).toBe('connection');
  });

  it('returns an LlmError unchanged', () => {
    const original = new LlmError('overloaded', 'x');
    expect(classifyError(original)).toBe(original);
  });
});
