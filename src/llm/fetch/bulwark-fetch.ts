import { isUtf8 } from 'node:buffer';
import { randomUUID } from 'node:crypto';
import { systemClock, type Clock } from '../../core/clock.js';
import { BulwarkError } from '../../core/errors.js';
import { AllFallbacksFailedError, LlmError } from '../errors.js';
import type { RouterConfig } from '../router-config.js';
import { createRouter } from '../router/create-router.js';
import type { RouterDeps } from '../router/router-deps.js';
import { passedThroughError, refusalHeaders } from '../dialects/errors.js';
import { isScanError, scanJsonObject } from '../dialects/json-scan.js';
import { MAX_BODY_NESTING, WireExchange } from '../dialects/wire/wire-exchange.js';
import type { CallOptions, ExchangeStream, Router, ServedInfo } from '../types.js';
import type { Exchange } from '../exchange.js';
import { ResponseOwners } from '../dialects/openai-responses/response-owners.js';
import { explainFailure } from '../dialects/openai-responses/responses-exchange.js';
import type { WireAnswer } from '../dialects/wire/wire-answer.js';
import { dialectForPath, OPENAI_FETCH_DIALECT, retryAfterSeconds, statusOf, type FetchDialect } from './fetch-dialect.js';

/** Options of {@link bulwarkFetch}. */
export interface BulwarkFetchOptions {
  /** Tenant of every call, or a function of the request (e.g. from a header). Default `default`. */
  tenant?: string | ((request: Request) => string | undefined);
  /** Requests the wrapper does not intercept go here. Default: answered 404 in the OpenAI error format. */
  passthrough?: typeof fetch;
  /** When `routerOrConfig` is a config: the router's deps (clock, providers, stores). */
  deps?: RouterDeps;
  /** Clock for the `created` field of streamed chunks. Default `deps.clock`, else the system clock. */
  clock?: Clock;
}

/** A fetch-compatible function backed by the router. */
export interface BulwarkFetch {
  (input: string | URL | Request, init?: RequestInit): Promise<Response>;
  /** The router answering the intercepted calls. */
  readonly router: Router;
  /** Closes the router if the wrapper built it from a config (a router passed in is left open). */
  close(): Promise<void>;
}

const encoder = new TextEncoder();

/**
 * A `fetch` that gives an official SDK the router's resilience in-process: it intercepts
 * `POST …/chat/completions` (OpenAI dialect) and `POST …/messages` (Anthropic dialect), and
 * `GET …/models`, answers through the router (fallback chain, cache, default answer; streams
 * stay streams, as SSE) and returns a web `Response` in the caller's dialect with the
 * `x-bulwark-served-by`, `-attempts`, `-fallback-depth`, `-degraded` and `x-request-id` headers.
 * Errors come back in the dialect's error format with `x-should-retry: false`, since the router
 * has already retried and fallen back (so SDK retries do not multiply upstream calls); also set
 * `maxRetries: 0` on the client to be explicit. The host in `baseURL` is never contacted.
 *
 * @example
 * const openai = new OpenAI({ apiKey: 'unused', baseURL: 'http://bulwark.local/v1', fetch: bulwarkFetch(router), maxRetries: 0 });
 * const anthropic = new Anthropic({ apiKey: 'unused', baseURL: 'http://bulwark.local', fetch: bulwarkFetch(router) });
 */
export function bulwarkFetch(routerOrConfig: Router | RouterConfig, options: BulwarkFetchOptions = {}): BulwarkFetch {
  const owned = !isRouter(routerOrConfig);
  const router = isRouter(routerOrConfig) ? routerOrConfig : createRouter(routerOrConfig, options.deps);
  const clock = options.clock ?? options.deps?.clock ?? systemClock;
  // Which deployment holds each Response relayed through this wrapper (follow-ups stay there).
  const owners = new ResponseOwners();
  const handler = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const request = toRequest(input, init);
    const url = new URL(request.url);
    if (request.method === 'POST') {
      const dialect = dialectForPath(url.pathname);
      if (dialect !== undefined) return answer(router, dialect, request, options, clock, owners);
    }
    if (request.method === 'GET' && url.pathname.replace(/\/+$/, '').endsWith('/models')) return modelsList(router);
    if (options.passthrough !== undefined) return options.passthrough(request);
    const notFound = new LlmError('bad_request', `bulwarkFetch does not serve ${request.method} ${url.pathname}`);
    return jsonResponse(404, OPENAI_FETCH_DIALECT.errorBody(notFound), { 'x-should-retry': 'false' });
  };
  return Object.assign(handler, {
    router,
    close: () => (owned ? router.close() : Promise.resolve()),
  });
}

function isRouter(value: Router | RouterConfig): value is Router {
  return typeof (value as Router).chat === 'function';
}

function toRequest(input: string | URL | Request, init: RequestInit | undefined): Request {
  if (input instanceof Request && init === undefined) return input;
  const body = init?.body;
  const streaming = body !== undefined && body !== null && typeof (body as ReadableStream).getReader === 'function';
  return new Request(input, streaming ? ({ ...init, duplex: 'half' } as RequestInit) : init);
}

async function answer(router: Router, dialect: FetchDialect, request: Request, options: BulwarkFetchOptions, clock: Clock, owners: ResponseOwners): Promise<Response> {
  const requestId = request.headers.get('x-request-id') ?? randomUUID();
  let exchange: Exchange<WireAnswer, Buffer>;
  try {
    const body = Buffer.from(await request.arrayBuffer());
    if (!isUtf8(body)) throw new LlmError('bad_request', 'The request body is not valid UTF-8');
    const scanned = scanJsonObject(body, MAX_BODY_NESTING);
    if (isScanError(scanned)) throw new LlmError('bad_request', `The request body is not valid JSON: ${scanned.error}`);
    const headers = headersOf(request.headers);
    exchange = dialect.open ? await dialect.open(body, scanned, headers, clock, owners) : WireExchange.open(dialect.wire, body, scanned, headers, clock);
  } catch (error) {
    return errorResponse(dialect, error, requestId);
  }
  const tenant = typeof options.tenant === 'function' ? options.tenant(request) : options.tenant;
  try {
    if (!exchange.stream) {
      const { answer: wire, served } = await router.call(exchange, { signal: request.signal, tenant, requestId });
      const headers = { ...wire.headers, ...servedHeaders(served, requestId), 'content-type': wire.contentType };
      return new Response(wire.body as Uint8Array<ArrayBuffer>, { status: wire.status, headers });
    }
    // A stream is cancelled by the request's signal or by the reader cancelling the body: both
    // abort the upstream call at once (even while the router waits for the next chunk).
    const cancel = new AbortController();
    const onAbort = () => cancel.abort(request.signal.reason);
    if (request.signal.aborted) onAbort();
    else request.signal.addEventListener('abort', onAbort, { once: true });
    const call: CallOptions = { signal: cancel.signal, tenant, requestId };
    let stream: ExchangeStream<Buffer>;
    try {
      stream = await router.callStream(exchange, call);
    } catch (error) {
      request.signal.removeEventListener('abort', onAbort);
      throw error;
    }
    const done = () => request.signal.removeEventListener('abort', onAbort);
    return sseResponse(stream, dialect, requestId, cancel, done);
  } catch (error) {
    return errorResponse(dialect, explainFailure(exchange, error), requestId);
  }
}

function sseResponse(stream: ExchangeStream<Buffer>, dialect: FetchDialect, requestId: string, cancel: AbortController, done: () => void): Response {
  let iterator: AsyncIterator<Buffer> | undefined;
  const body = new ReadableStream<Uint8Array>({
    start() {
      iterator = stream[Symbol.asyncIterator]();
    },
    async pull(controller) {
      try {
        const step = await iterator!.next();
        if (step.done) {
          done();
          controller.close();
          return;
        }
        controller.enqueue(step.value);
      } catch (error) {
        // A broken stream ends with the dialect's error event, never as a clean end.
        done();
        controller.enqueue(encoder.encode(dialect.streamErrorEvent(error)));
        controller.close();
      }
    },
    cancel(reason) {
      // The reader went away: abort the upstream request now (the pending read then ends the iterator).
      done();
      cancel.abort(reason ?? new LlmError('cancelled', 'The reader cancelled the response body'));
    },
  });
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(stream.upstreamHeaders ?? {})) {
    const as = value === undefined ? undefined : dialect.wire.passBack(name);
    if (as !== undefined) headers[as] = Array.isArray(value) ? value.join(', ') : value!;
  }
  Object.assign(headers, servedHeaders(stream.served, requestId));
  headers['content-type'] = 'text/event-stream; charset=utf-8';
  headers['cache-control'] = 'no-cache';
  return new Response(body, { status: 200, headers });
}

function servedHeaders(served: ServedInfo, requestId: string): Record<string, string> {
  const headers: Record<string, string> = {
    'x-bulwark-served-by': served.servedBy,
    'x-bulwark-attempts': String(served.attempts),
    'x-bulwark-fallback-depth': String(served.fallbackDepth),
    'x-bulwark-degraded': String(served.degraded),
    'x-request-id': requestId,
  };
  if (served.dropped !== undefined && served.dropped.length > 0) headers['x-bulwark-dropped'] = served.dropped.join(', ');
  return headers;
}

function errorResponse(dialect: FetchDialect, error: unknown, requestId: string): Response {
  const headers: Record<string, string> = { 'x-request-id': requestId, 'x-should-retry': 'false' };
  if (error instanceof AllFallbacksFailedError) {
    headers['x-bulwark-served-by'] = 'none';
    headers['x-bulwark-attempts'] = String(error.attempts);
  }
  const retryAfter = retryAfterSeconds(error);
  if (retryAfter !== undefined) headers['retry-after'] = String(retryAfter);
  const status = error instanceof BulwarkError ? statusOf(error) : 500;
  // The upstream's refusal of the request, in the client's own API: as the provider sent it.
  const passed = passedThroughError(error, dialect.wire.family);
  if (passed !== undefined) {
    return new Response(passed.body, { status, headers: { ...refusalHeaders(dialect.wire, error), ...headers, 'content-type': 'application/json' } });
  }
  return jsonResponse(status, dialect.errorBody(error), headers);
}

function jsonResponse(status: number, body: unknown, headers: Record<string, string>): Response {
  return new Response(JSON.stringify(body), { status, headers: { ...headers, 'content-type': 'application/json' } });
}

function modelsList(router: Router): Response {
  const data = router.models().map((id) => ({ id, object: 'model', created: 0, owned_by: 'bulwark' }));
  return jsonResponse(200, { object: 'list', data }, {});
}

/** The request headers as a plain object (lower-case names). */
function headersOf(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  headers.forEach((value, name) => {
    out[name] = value;
  });
  return out;
}
