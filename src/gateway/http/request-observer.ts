import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestContext } from './request-context.js';
import type { RouteDefinition, RouteHandler } from './route-table.js';

/**
 * What the listener tells ops about every request (traces, access log). Optional: without one
 * the listener does no extra work per request.
 */
export interface RequestObserver {
  /** A request arrived; `route` is the matched endpoint (undefined for 404/405 answers). */
  begin(context: RequestContext, req: IncomingMessage, route: RouteDefinition | undefined): void;
  /** Runs the endpoint's handler (inside the request's trace context, when there is one). */
  run(context: RequestContext, handler: RouteHandler, req: IncomingMessage, res: ServerResponse): Promise<void> | void;
  /** The response closed (answered, failed, or the client left). */
  end(context: RequestContext): void;
}
