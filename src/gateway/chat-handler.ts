import { isUtf8 } from 'node:buffer';
import type { ServerResponse } from 'node:http';
import type { Clock } from '../core/clock.js';
import type { CallOptions, ChatStream } from '../llm/types.js';
import { AllFallbacksFailedError } from '../llm/errors.js';
import type { GatewayDialect } from './dialect.js';
import { MalformedJsonError, UnsupportedMediaTypeError } from './errors.js';
import { MAX_BODY_NESTING, nestsDeeperThan } from './http/json-depth.js';
import { readBody } from './http/read-body.js';
import type { RequestContext } from './http/request-context.js';
import { bulwarkHeaders, sendJson } from './http/respond.js';
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

/**
 * `POST /v1/chat/completions` or `POST /v1/messages`: body → canonical request (dialect) →
 * router → answer in the same dialect, streaming kept streaming. The body is parsed once and
 * the answer serialized once.
 */
export function chatHandler(dialect: GatewayDialect, deps: ChatHandlerDeps): RouteHandler {
  return async (context, req, res) => {
    const contentType = req.headers['content-type'];
    if (!isJsonMediaType(contentType)) {
      req.resume(); // discard the body so the connection can carry the answer
      throw new UnsupportedMediaTypeError(contentType ?? '');
    }
    const body = await readBody(req, deps.bodyLimitBytes());
    // Decoding would quietly turn bad bytes into U+FFFD: the prompt sent (and cached) would not be the client's.
    if (!isUtf8(body)) throw new MalformedJsonError('the body is not valid UTF-8');
    let json: unknown;
    try {
      json = JSON.parse(body.toString('utf8'));
    } catch (error) {
      throw new MalformedJsonError((error as Error).message.slice(0, 120));
    }
    if (nestsDeeperThan(body, MAX_BODY_NESTING)) throw new MalformedJsonError(`objects and arrays nest deeper than ${MAX_BODY_NESTING} levels`);
    const parsed = dialect.parse(json);
    const options: CallOptions = { signal: context.signal, tenant: context.tenant, priority: context.priority, requestId: context.requestId };
    const observer = deps.observer;
    const route = parsed.request.model;
    context.route = route;
    context.stream = parsed.stream;
    let overheadMs: number | undefined;
    observer?.started(route);
    const routerStartedAt = observer ? deps.clock.now() : 0;
    const lease = deps.slot.acquire();
    try {
      if (parsed.stream) await streamAnswer(context, res, lease.router.stream(parsed.request, options), dialect, parsed.includeUsage, deps.clock);
      else {
        let result;
        try {
          result = await lease.router.chat(parsed.request, options);
        } catch (error) {
          if (error instanceof AllFallbacksFailedError) context.served = { servedBy: 'none', attempts: error.attempts, fallbackDepth: 0, degraded: false };
          throw error;
        }
        const routerEndedAt = observer ? deps.clock.now() : 0;
        context.served = result.served;
        context.outputTokens = result.response.usage.outputTokens;
        sendJson(res, context, 200, dialect.responseJson(result.response));
        if (observer) overheadMs = routerStartedAt - context.startedAt + deps.clock.now() - routerEndedAt;
      }
    } finally {
      lease.release();
      observer?.ended(route, overheadMs);
    }
  };
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
  context: RequestContext, res: ServerResponse, pending: Promise<ChatStream>, dialect: GatewayDialect, includeUsage: boolean, clock: Clock,
): Promise<void> {
  let stream: ChatStream;
  try {
    stream = await pending;
  } catch (error) {
    if (error instanceof AllFallbacksFailedError) context.served = { servedBy: 'none', attempts: error.attempts, fallbackDepth: 0, degraded: false };
    throw error;
  }
  context.served = stream.served;
  context.status = 200;
  context.firstByteAt = clock.now(); // the router resolves a stream at its first event: the load shedder's sample
  const headers = bulwarkHeaders(context);
  headers['content-type'] = 'text/event-stream; charset=utf-8';
  headers['cache-control'] = 'no-cache';
  headers['x-accel-buffering'] = 'no';
  res.writeHead(200, headers);
  const encoder = dialect.encoder(Math.floor(clock.now() / 1000), includeUsage);
  try {
    for await (const event of stream) {
      if (res.destroyed) break; // the client left: leaving the loop ends the upstream stream
      const text = encoder.encode(event);
      if (text !== '' && !res.write(text)) await drained(res);
    }
    res.end();
  } catch (error) {
    // A broken stream ends with the dialect's error event, never as a clean end.
    if (!res.destroyed) res.end(encoder.encodeError(error));
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
