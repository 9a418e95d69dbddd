import { isUtf8 } from 'node:buffer';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Clock } from '../core/clock.js';
import { isScanError, scanJsonObject, type ScannedObject } from '../llm/dialects/json-scan.js';
import type { Exchange } from '../llm/exchange.js';
import type { WireAnswer } from '../llm/dialects/wire/wire-answer.js';
import { MAX_BODY_NESTING, WireExchange } from '../llm/dialects/wire/wire-exchange.js';
import type { CallOptions, ExchangeStream } from '../llm/types.js';
import { AllFallbacksFailedError } from '../llm/errors.js';
import type { GatewayDialect } from './dialect.js';
import { MalformedJsonError, ShuttingDownError, UnsupportedMediaTypeError } from './errors.js';
import { readBody } from './http/read-body.js';
import type { RequestContext } from './http/request-context.js';
import { bulwarkHeaders } from './http/respond.js';
import type { RouteHandler } from './http/route-table.js';
import type { RouterSlot } from './router-slot.js';
import type { ChatObserver } from './ops/chat-observer.js';

/** What the chat endpoints need from the gateway (read per request, so reloads apply at once). */
export interface ChatHandlerDeps {
  slot: RouterSlot;
  bodyLimitBytes(): number;
  clock: Clock;
  /** Ops accounting (in flight per route, gateway overhead); none: no extra clock reads. */
  observer?: ChatObserver;
}

/** A wire exchange as the gateway routes it. */
export type GatewayExchange = Exchange<WireAnswer, Buffer>;

/** How an endpoint that is not plain chat builds its exchange and words its failures. */
export interface ExchangeHooks {
  /** Builds the exchange from the scanned body (default: the dialect's {@link WireExchange}). */
  open?(body: Buffer, scanned: ScannedObject, req: IncomingMessage): GatewayExchange | Promise<GatewayExchange>;
  /** The error the client sees for a failure before the answer began (default: the failure). */
  explain?(error: unknown, exchange: GatewayExchange): unknown;
}

/**
 * `POST /v1/chat/completions`, `POST /v1/messages` and every other JSON POST endpoint (Responses,
 * embeddings, completions, count_tokens — see `endpoints/endpoint-routes.ts`): the body is read
 * once and scanned (never parsed whole), becomes the dialect's exchange, and the router answers
 * it: to a deployment of the same API the body goes up as it came and the answer comes back as
 * the provider sent it (streams relayed event for event); to one of the other API both are
 * translated.
 */
export function chatHandler(dialect: GatewayDialect, deps: ChatHandlerDeps, hooks: ExchangeHooks = {}): RouteHandler {
  return async (context, req, res) => {
    const contentType = req.headers['content-type'];
    if (!isJsonMediaType(contentType)) {
      req.resume(); // discard the body so the connection can carry the answer
      throw new UnsupportedMediaTypeError(contentType ?? '');
    }
    const body = await readBody(req, deps.bodyLimitBytes());
    // Decoding would quietly turn bad bytes into U+FFFD: the prompt sent (and cached) would not be the client's.
    if (!isUtf8(body)) throw new MalformedJsonError('the body is not valid UTF-8');
    const scanned = scanJsonObject(body, MAX_BODY_NESTING);
    if (isScanError(scanned)) throw new MalformedJsonError(scanned.error);
    const exchange = hooks.open ? await hooks.open(body, scanned, req) : WireExchange.open(dialect.wire, body, scanned, req.headers, deps.clock);
    await answerExchange(context, res, exchange, dialect, deps, hooks.explain);
  };
}

const asIs = (error: unknown): unknown => error;

/**
 * Routes `exchange` and writes its answer (JSON or event stream) as it came, with the
 * `x-bulwark-*` headers; a failure before the answer began is thrown (worded by `explain`).
 * Shared by the POST endpoints and the body-less ones (`GET`/`DELETE /v1/responses/{id}`).
 */
export async function answerExchange(
  context: RequestContext, res: ServerResponse, exchange: GatewayExchange, dialect: GatewayDialect, deps: ChatHandlerDeps,
  explain: NonNullable<ExchangeHooks['explain']> = asIs,
): Promise<void> {
  const options: CallOptions = { signal: context.signal, tenant: context.tenant, priority: context.priority, requestId: context.requestId };
  const observer = deps.observer;
  const route = exchange.route;
  context.route = route;
  context.stream = exchange.stream;
  let overheadMs: number | undefined;
  observer?.started(route);
  const routerStartedAt = observer ? deps.clock.now() : 0;
  const lease = deps.slot.acquire();
  try {
    if (exchange.stream) await streamAnswer(context, res, lease.router.callStream(exchange, options), dialect, deps.clock, explain, exchange);
    else {
      let result;
      try {
        result = await lease.router.call(exchange, options);
      } catch (error) {
        if (error instanceof AllFallbacksFailedError) context.served = { servedBy: 'none', attempts: error.attempts, fallbackDepth: 0, degraded: false };
        throw explain(error, exchange);
      }
      const routerEndedAt = observer ? deps.clock.now() : 0;
      context.served = result.served;
      context.outputTokens = result.usage?.outputTokens ?? 0;
      sendAnswer(res, context, result.answer);
      if (observer) overheadMs = routerStartedAt - context.startedAt + deps.clock.now() - routerEndedAt;
    }
  } finally {
    lease.release();
    observer?.ended(route, overheadMs);
  }
}

/** The answer's own headers (the upstream's, by the dialect's allow-list), then the gateway's. */
function answerHeaders(context: RequestContext, upstream: Readonly<Record<string, string>>): Record<string, string> {
  const headers: Record<string, string> = { ...upstream, ...bulwarkHeaders(context) };
  const dropped = context.served.dropped;
  if (dropped !== undefined && dropped.length > 0) headers['x-bulwark-dropped'] = dropped.join(', ');
  return headers;
}

function sendAnswer(res: ServerResponse, context: RequestContext, answer: WireAnswer): void {
  context.status = answer.status;
  const headers = answerHeaders(context, answer.headers);
  headers['content-type'] = answer.contentType;
  headers['content-length'] = String(answer.body.length);
  res.writeHead(answer.status, headers);
  res.end(answer.body);
}

/**
 * True for `application/json` and `application/*+json` (any case, any parameters). Anything else,
 * a missing type included, is refused: those are the bodies a web page may POST to 127.0.0.1
 * without a CORS preflight, so accepting them would let any site spend a keyless gateway's credits.
 */
export function isJsonMediaType(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  const semicolon = contentType.indexOf(';');
  const type = (semicolon === -1 ? contentType : contentType.slice(0, semicolon)).trim().toLowerCase();
  return type === 'application/json' || (type.startsWith('application/') && type.endsWith('+json'));
}

async function streamAnswer(
  context: RequestContext, res: ServerResponse, pending: Promise<ExchangeStream<Buffer>>, dialect: GatewayDialect, clock: Clock,
  explain: NonNullable<ExchangeHooks['explain']>, exchange: GatewayExchange,
): Promise<void> {
  let stream: ExchangeStream<Buffer>;
  try {
    stream = await pending;
  } catch (error) {
    if (error instanceof AllFallbacksFailedError) context.served = { servedBy: 'none', attempts: error.attempts, fallbackDepth: 0, degraded: false };
    throw explain(error, exchange);
  }
  context.served = stream.served;
  context.status = 200;
  context.firstByteAt = clock.now(); // the router resolves a stream at its first token: the load shedder's sample
  const upstream: Record<string, string> = {};
  for (const [name, value] of Object.entries(stream.upstreamHeaders ?? {})) {
    const as = value === undefined ? undefined : dialect.wire.passBack(name);
    if (as !== undefined) upstream[as] = Array.isArray(value) ? value.join(', ') : value!;
  }
  const headers = answerHeaders(context, upstream);
  headers['content-type'] = 'text/event-stream; charset=utf-8';
  headers['cache-control'] = 'no-cache';
  headers['x-accel-buffering'] = 'no';
  res.writeHead(200, headers);
  try {
    for await (const bytes of stream) {
      if (res.destroyed) break; // the client left: leaving the loop ends the upstream stream
      if (!res.write(bytes)) await drained(res);
    }
    res.end();
  } catch (error) {
    // A broken stream ends with the dialect's error event, never as a clean end (at shutdown: saying so).
    const reason = context.controller?.signal.reason;
    if (!res.destroyed) res.end(dialect.streamErrorEvent(reason instanceof ShuttingDownError ? reason : error));
  }
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
