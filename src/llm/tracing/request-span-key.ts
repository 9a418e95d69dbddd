import { createContextKey, type Context, type Span } from '@opentelemetry/api';

/**
 * Context key under which a caller that already opened the request's span (the gateway's
 * SERVER span) hands it to the router: the router then annotates that span instead of opening an
 * INTERNAL one of its own, so a gateway request is one server span with one client span per
 * upstream attempt.
 */
export const REQUEST_SPAN_KEY = createContextKey('bulwark.request-span');

/** The caller's request span carried by `ctx`, if any (see {@link REQUEST_SPAN_KEY}). */
export function ownedRequestSpan(ctx: Context): Span | undefined {
  return ctx.getValue(REQUEST_SPAN_KEY) as Span | undefined;
}
