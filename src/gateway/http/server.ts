import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { isIP, type AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { Clock } from '../../core/clock.js';
import { systemClock } from '../../core/clock.js';
import { CancelledError } from '../../core/errors.js';
import { presentedKey, type KeyStore } from '../auth.js';
import { anthropicDialect, openaiDialect } from '../dialect.js';
import { ForbiddenError, InternalError, MethodNotAllowedError, RouteNotFoundError, ShuttingDownError, UnauthorizedError } from '../errors.js';
import type { KeyRateLimiter } from '../key-rate-limiter.js';
import type { TenantQuotas } from '../tenant-quotas.js';
import { noteAskedRoute, refusalReasonOf } from '../refusals.js';
import { guardResponse } from '../secrets/guard-response.js';
import { SecretRedactor } from '../secrets/secret-redactor.js';
import { requestIdFor } from './request-id.js';
import { RequestContext } from './request-context.js';
import { sendError } from './respond.js';
import { RouteTable, type RouteDefinition } from './route-table.js';
import type { RequestObserver } from './request-observer.js';

/** Settings a reload may change without restarting the listener. */
export interface ServingSettings {
  keys: KeyStore;
  /** Per-key RPM limits (per process, or shared across replicas by the scale-out layer); undefined when no key has one. */
  limiter: Pick<KeyRateLimiter, 'acquire'> | undefined;
  /** Per-tenant quotas (`tenants:`); undefined when no tenant has one. */
  quotas?: Pick<TenantQuotas, 'admit'> | undefined;
  bodyLimitBytes: number;
}

/** Options of {@link GatewayServer}; timeouts are fixed for the listener's life. */
export interface GatewayServerOptions {
  settings: ServingSettings;
  logger: Logger;
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  keepAliveTimeoutMs: number;
  clock?: Clock;
  /** Blanks configured secrets from every byte sent to a client. Default: none to blank. */
  redactor?: SecretRedactor;
  /** Traces and access log (see {@link RequestObserver}); none: no per-request work for them. */
  observer?: RequestObserver;
}

/** Open endpoints (no key) that still answer only a local Host when the gateway has no keys. */
const HOST_CHECKED_OPEN_PATHS: ReadonlySet<string> = new Set(['/metrics', '/health']);

const CONTEXT = Symbol('bulwark.context');
type TrackedResponse = ServerResponse & { [CONTEXT]?: RequestContext; [SERVER]?: GatewayServer };
const SERVER = Symbol('bulwark.server');

// One listener function for every response (no closure per request).
function onResponseClose(this: TrackedResponse): void {
  const context = this[CONTEXT];
  const server = this[SERVER];
  if (!context || !server) return;
  if (!this.writableFinished && context.controller && !context.controller.signal.aborted) {
    context.controller.abort(new CancelledError('The client closed the connection'));
  }
  server.requestEnded(context);
}

/**
 * True for a request a browser sent on behalf of another site (`Sec-Fetch-Site` cross-site or
 * same-site, or an `Origin` other than the gateway's own host). SDKs and servers send neither
 * header. Without gateway keys nothing else would stop a web page from calling a loopback
 * gateway with a preflight-free POST (opening breakers, spending provider credits).
 */
export function isCrossSite(req: IncomingMessage): boolean {
  const site = req.headers['sec-fetch-site'];
  if (site === 'cross-site' || site === 'same-site') return true;
  const origin = req.headers.origin;
  if (origin === undefined) return false;
  const scheme = origin.indexOf('://');
  return scheme === -1 || origin.slice(scheme + 3).toLowerCase() !== req.headers.host?.toLowerCase();
}

/**
 * True when a `Host` header names localhost or an IP address (or is absent, as from HTTP/1.0
 * clients). A keyless gateway answers only those: a DNS-rebinding page reaches 127.0.0.1 under its
 * own name, and the browser then treats it as same-origin.
 */
export function isLocalHostHeader(host: string | undefined): boolean {
  if (host === undefined || host.startsWith('[')) return true; // [IPv6 literal]:port
  const colon = host.lastIndexOf(':');
  const name = (colon === -1 ? host : host.slice(0, colon)).toLowerCase();
  return name === 'localhost' || name.endsWith('.localhost') || isIP(name) !== 0;
}

/**
 * The gateway's HTTP listener (node:http, chosen by benchmark: see README "Design notes").
 * Endpoints live in {@link GatewayServer.routes}; authentication, request ids, the x-bulwark-*
 * headers, error formats and in-flight tracking for draining are handled here for all of them.
 */
export class GatewayServer {
  readonly routes = new RouteTable();
  readonly http: Server;
  settings: ServingSettings;
  readonly logger: Logger;
  /** Every response's bytes pass through it (see {@link guardResponse}). */
  readonly redactor: SecretRedactor;
  private readonly clock: Clock;
  private readonly observer: RequestObserver | undefined;
  private inFlight = 0;
  /** Requests being answered (to end them properly when the shutdown grace runs out). */
  private readonly open = new Set<RequestContext>();
  private draining = false;
  private idleWaiters: Array<() => void> = [];
  /** Told about every request the gateway refused itself (`context.refusal` set), when it ends: ops counts them. */
  onRefusal: ((context: RequestContext) => void) | undefined = undefined;

  constructor(options: GatewayServerOptions) {
    this.settings = options.settings;
    this.logger = options.logger;
    this.clock = options.clock ?? systemClock;
    this.redactor = options.redactor ?? new SecretRedactor();
    this.observer = options.observer;
    this.http = createServer({
      headersTimeout: options.headersTimeoutMs,
      requestTimeout: options.requestTimeoutMs,
      keepAliveTimeout: options.keepAliveTimeoutMs,
      // Timeouts are checked on this period: keep it well below the shortest timeout.
      connectionsCheckingInterval: Math.max(25, Math.min(1000, Math.floor(options.headersTimeoutMs / 4))),
    });
    this.http.on('request', (req, res) => this.handle(req, res as TrackedResponse));
    this.http.on('clientError', (error, socket) => {
      // Malformed HTTP, header overflow, timeouts: answer 400/408 when possible, then close.
      const code = (error as NodeJS.ErrnoException).code;
      if (socket.writable && code !== 'ECONNRESET') {
        const status = code === 'ERR_HTTP_REQUEST_TIMEOUT' || code === 'ERR_HTTP_HEADERS_TIMEOUT' ? 408 : code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
        socket.end(`HTTP/1.1 ${status} ${status === 408 ? 'Request Timeout' : status === 431 ? 'Request Header Fields Too Large' : 'Bad Request'}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
      } else socket.destroy();
    });
  }

  /** True after {@link GatewayServer.beginDrain}. */
  get isDraining(): boolean {
    return this.draining;
  }

  /** Requests being answered right now (streams included). */
  get requestsInFlight(): number {
    return this.inFlight;
  }

  /** Starts listening; resolves with the bound address. */
  listen(port: number, host: string): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      const onError = (error: Error) => reject(error);
      this.http.once('error', onError);
      this.http.listen(port, host, () => {
        this.http.off('error', onError);
        resolve(this.http.address() as AddressInfo);
      });
    });
  }

  /**
   * Starts draining: `/readyz` answers 503 and every answer from now on carries
   * `connection: close`. The listener stays open until {@link GatewayServer.stopListening}, so a
   * load balancer has time to notice.
   */
  beginDrain(): void {
    this.draining = true;
  }

  /** Closes the listener and idle keep-alive connections; requests in flight continue. */
  stopListening(): void {
    this.draining = true;
    if (this.http.listening) this.http.close();
    this.http.closeIdleConnections();
  }

  /** Resolves when no request is in flight, or after `deadlineMs`; returns true when drained cleanly. */
  waitIdle(deadlineMs: number): Promise<boolean> {
    if (this.inFlight === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = this.clock.setTimeout(() => {
        this.idleWaiters = this.idleWaiters.filter((w) => w !== done);
        resolve(false);
      }, deadlineMs);
      const done = () => {
        this.clock.clearTimeout(timer);
        resolve(true);
      };
      this.idleWaiters.push(done);
    });
  }

  /**
   * When the shutdown grace ran out: aborts every request still open through its own signal
   * (reason {@link ShuttingDownError}), so a stream ends with its dialect's error event rather
   * than a TCP reset, then waits up to `deadlineMs` for them to end. Returns true if all did.
   */
  endInFlight(deadlineMs: number): Promise<boolean> {
    for (const context of this.open) {
      if (context.controller !== undefined && !context.controller.signal.aborted) context.controller.abort(new ShuttingDownError());
    }
    return this.waitIdle(deadlineMs);
  }

  /** Closes every connection at once (after the drain deadline). */
  destroyConnections(): void {
    this.http.closeAllConnections();
  }

  /** @internal called once per request when its response closes. */
  requestEnded(context: RequestContext): void {
    this.inFlight--;
    this.open.delete(context);
    this.observer?.end(context);
    if (context.refusal !== undefined) this.onRefusal?.(context);
    context.quotas?.release(context);
    if (context.status >= 500 || context.status === 0) {
      this.logger.debug({ requestId: context.requestId, path: context.path, status: context.status }, 'request ended');
    }
    if (this.inFlight === 0 && this.idleWaiters.length > 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  private handle(req: IncomingMessage, res: TrackedResponse): void {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    const method = req.method ?? 'GET';
    const context = new RequestContext(requestIdFor(req.headers['x-request-id']), method, path, openaiDialect, this.clock.now());
    this.inFlight++;
    this.open.add(context);
    res[CONTEXT] = context;
    res[SERVER] = this;
    res.on('close', onResponseClose);
    // Whatever a handler writes — error bodies, stream events, bytes passed through from an
    // upstream — no configured secret leaves the process.
    guardResponse(res, this.redactor);
    if (this.draining) res.setHeader('connection', 'close');

    const match = this.routes.match(method, path);
    this.observer?.begin(context, req, match.kind === 'found' ? match.route : undefined);
    if (match.kind !== 'found') {
      if (req.headers['anthropic-version'] !== undefined || path.startsWith('/v1/messages')) context.dialect = anthropicDialect;
      sendError(res, context, match.kind === 'not-found'
        ? new RouteNotFoundError(method, path)
        : new MethodNotAllowedError(match.allowed, method, path), match.kind === 'method-not-allowed' ? { allow: match.allowed.join(', ') } : undefined);
      req.resume();
      return;
    }
    const route = match.route;
    // Endpoints of one API answer in its format; shared ones (/v1/models) follow the client's SDK.
    if (route.dialect === 'anthropic' || (route.dialect === undefined && req.headers['anthropic-version'] !== undefined)) context.dialect = anthropicDialect;
    if (route.auth !== 'none' && isCrossSite(req)) {
      sendError(res, context, new ForbiddenError('Cross-site browser requests are refused'));
      req.resume();
      return;
    }
    // /metrics and /health are open (scrapers, probes) but tell a lot about the deployment: a
    // DNS-rebinding page must not read them from a keyless loopback gateway either.
    if ((route.auth !== 'none' || HOST_CHECKED_OPEN_PATHS.has(path)) && !this.settings.keys.required && !isLocalHostHeader(req.headers.host)) {
      sendError(res, context, new ForbiddenError('Without gateway keys, only requests to localhost or an IP address are served (configure auth.keys to serve other host names)'));
      req.resume();
      return;
    }
    if (route.auth !== 'none' && !this.authorize(route.auth, req, res, context)) {
      req.resume();
      return;
    }
    const limiter = this.settings.limiter;
    if (limiter && context.grant?.rpm !== undefined) {
      limiter.acquire(context.grant).then(
        () => this.admit(route, context, req, res),
        (error: unknown) => this.refuse(context, req, res, error),
      );
      return;
    }
    this.admit(route, context, req, res);
  }

  /** The tenant's quotas, for requests that do work (POST on a client route); none: straight to the handler. */
  private admit(route: RouteDefinition, context: RequestContext, req: IncomingMessage, res: TrackedResponse): void {
    const pending = route.auth === 'client' && route.method === 'POST' ? this.settings.quotas?.admit(context) : undefined;
    if (pending === undefined) return this.run(route, context, req, res);
    pending.then(() => this.run(route, context, req, res), (error: unknown) => this.refuse(context, req, res, error));
  }

  /** Answers a request refused before its handler ran; the body is read (bounded) only to count the refusal against the route it asked for. */
  private async refuse(context: RequestContext, req: IncomingMessage, res: ServerResponse, error: unknown): Promise<void> {
    context.refusal ??= refusalReasonOf(error);
    if (context.refusal !== undefined) await noteAskedRoute(context, req, this.settings.bodyLimitBytes);
    else req.resume();
    sendError(res, context, error);
  }

  private run(route: RouteDefinition, context: RequestContext, req: IncomingMessage, res: TrackedResponse): void {
    try {
      const pending = this.observer === undefined ? route.handler(context, req, res) : this.observer.run(context, route.handler, req, res);
      if (pending) pending.catch((error: unknown) => this.fail(res, context, error));
    } catch (error) {
      this.fail(res, context, error);
    }
  }

  private authorize(auth: 'client' | 'admin', req: IncomingMessage, res: ServerResponse, context: RequestContext): boolean {
    const keys = this.settings.keys;
    const key = presentedKey(req.headers);
    if (auth === 'admin') {
      if (keys.hasAdminKey ? keys.isAdmin(key) : !keys.required) return true;
      sendError(res, context, keys.hasAdminKey ? new UnauthorizedError('Missing or invalid admin key') : new ForbiddenError('Admin endpoints are disabled: configure auth.adminKeySha256'));
      return false;
    }
    if (!keys.required) return true;
    const grant = keys.authenticate(key);
    if (!grant) {
      sendError(res, context, new UnauthorizedError());
      return false;
    }
    context.grant = grant;
    context.tenant = grant.tenant;
    context.priority = grant.priority;
    return true;
  }

  /** Last line of defence: anything a handler throws becomes an error answer, never a crash. */
  fail(res: ServerResponse, context: RequestContext, error: unknown): void {
    try {
      if (!(error instanceof Error && 'status' in error)) {
        this.logger.error({ requestId: context.requestId, path: context.path, err: error }, 'unexpected error');
        error = new InternalError({ cause: error });
      }
      if (res.headersSent) res.destroy();
      else sendError(res, context, error);
    } catch (secondary) {
      this.logger.error({ requestId: context.requestId, err: secondary }, 'failed to send an error answer');
      res.destroy();
    }
  }
}
