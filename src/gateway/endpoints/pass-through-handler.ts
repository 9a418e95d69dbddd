import { isUtf8 } from 'node:buffer';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AllFallbacksFailedError } from '../../llm/errors.js';
import type { Exchange } from '../../llm/exchange.js';
import { isScanError, scanJsonObject, type ScannedObject } from '../../llm/dialects/json-scan.js';
import { MAX_BODY_NESTING } from '../../llm/dialects/wire/wire-exchange.js';
import type { WireAnswer } from '../../llm/dialects/wire/wire-answer.js';
import type { CallOptions } from '../../llm/types.js';
import { isJsonMediaType } from '../chat-handler.js';
import { MalformedJsonError, UnsupportedMediaTypeError } from '../errors.js';
import { readBody } from '../http/read-body.js';
import type { RequestContext } from '../http/request-context.js';
import { bulwarkHeaders } from '../http/respond.js';
import type { RouteHandler } from '../http/route-table.js';
import type { RouterSlot } from '../router-slot.js';
import type { ChatObserver } from '../ops/chat-observer.js';

/** What the pass-through endpoints read per request (so reloads apply at once). */
export interface PassThroughDeps {
  slot: RouterSlot;
  bodyLimitBytes(): number;
  observer?: ChatObserver;
}

/** Builds the exchange of one request from its scanned JSON body. */
export type ExchangeOpener = (body: Buffer, scanned: ScannedObject, req: IncomingMessage) => Exchange<WireAnswer, Buffer> | Promise<Exchange<WireAnswer, Buffer>>;

/** Writes the in-stream error event of the endpoint's API (a stream that broke after its first bytes). */
export type StreamErrorWriter = (error: unknown) => string;

/**
 * A POST endpoint whose body passes through to a deployment of the same API: the JSON body is
 * read once and scanned (never rebuilt), the exchange built by `open` walks the route's fallback
 * chain with the same breakers, retries, cache and default answer as chat, and the answer (JSON
 * or event stream) is written as the provider sent it, with the `x-bulwark-*` headers.
 * `errorFor` maps a failure before the answer began (AllFallbacksFailed included) to the error
 * the client sees; `streamError` ends a stream that broke later.
 */
export function passThroughHandler(
  open: ExchangeOpener,
  deps: PassThroughDeps,
  streamError: StreamErrorWriter,
  errorFor: (error: unknown, exchange: Exchange<WireAnswer, Buffer>) => unknown = (error) => error,
): RouteHandler {
  return async (context, req, res) => {
    const contentType = req.headers['content-type'];
    if (!isJsonMediaType(contentType)) {
      req.resume();
      throw new UnsupportedMediaTypeError(contentType ?? '');
    }
    const body = await readBody(req, deps.bodyLimitBytes());
    if (!isUtf8(body)) throw new MalformedJsonError('the body is not valid UTF-8');
    const scanned = scanJsonObject(body, MAX_BODY_NESTING);
    if (isScanError(scanned)) throw new MalformedJsonError(scanned.error);
    const exchange = await open(body, scanned, req);
    await routeExchange(context, res, exchange, deps, streamError, errorFor);
  };
}

/** Walks `exchange` through the router and writes its answer (shared by the POST and lookup endpoints). */
export async function routeExchange(
  context: RequestContext,
  res: ServerResponse,
  exchange: Exchange<WireAnswer, Buffer>,
  deps: Pick<PassThroughDeps, 'slot' | 'observer'>,
  streamError: StreamErrorWriter,
  errorFor: (error: unknown, exchange: Exchange<WireAnswer, Buffer>) => unknown = (error) => error,
): Promise<void> {
  const options: CallOptions = { signal: context.signal, tenant: context.tenant, priority: context.priority, requestId: context.requestId };
  const route = exchange.route;
  deps.observer?.started(route);
  const lease = deps.slot.acquire();
  try {
    if (!exchange.stream) {
      let result;
      try {
        result = await lease.router.call(exchange, options);
      } catch (error) {
        if (error instanceof AllFallbacksFailedError) context.served = { servedBy: 'none', attempts: error.attempts, fallbackDepth: 0, degraded: false };
        throw errorFor(error, exchange);
      }
      context.served = result.served;
      writeAnswer(res, context, result.answer);
      return;
    }
    let stream;
    try {
      stream = await lease.router.callStream(exchange, options);
    } catch (error) {
      if (error instanceof AllFallbacksFailedError) context.served = { servedBy: 'none', attempts: error.attempts, fallbackDepth: 0, degraded: false };
      throw errorFor(error, exchange);
    }
    context.served = stream.served;
    context.status = 200;
    const headers = bulwarkHeaders(context);
    headers['content-type'] = 'text/event-stream; charset=utf-8';
    headers['cache-control'] = 'no-cache';
    headers['x-accel-buffering'] = 'no';
    res.writeHead(200, headers);
    try {
      for await (const unit of stream) {
        if (res.destroyed) break; // leaving the loop ends the upstream stream
        if (!res.write(unit)) await drained(res);
      }
      res.end();
    } catch (error) {
      if (!res.destroyed) res.end(streamError(error));
    }
  } finally {
    lease.release();
    deps.observer?.ended(route, undefined);
  }
}

/** Writes a complete wire answer as it came (status, media type, passed-back headers, bytes). */
export function writeAnswer(res: ServerResponse, context: RequestContext, answer: WireAnswer): void {
  context.status = answer.status;
  const headers: Record<string, string> = { ...answer.headers, ...bulwarkHeaders(context) };
  headers['content-type'] = answer.contentType;
  headers['content-length'] = String(answer.body.length);
  res.writeHead(answer.status, headers);
  res.end(answer.body);
}

function drained(res: ServerResponse): Promise<void> {
  if (res.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}
