import { BulwarkError } from '../core/errors.js';

/**
 * Errors the gateway itself raises at its HTTP edge (the router's own errors come from
 * `llm/errors.ts`). Each has a stable code and the status the client sees; `errors.test.ts` pins them.
 */

/** The request body is larger than `server.bodyLimit`. */
export class BodyTooLargeError extends BulwarkError {
  constructor(readonly limitBytes: number) {
    super('BULWARK_ERR_BODY_TOO_LARGE', 413, `Request body exceeds the limit of ${limitBytes} bytes`);
  }
}

/** The request body is not valid JSON. */
export class MalformedJsonError extends BulwarkError {
  constructor(detail: string) {
    super('BULWARK_ERR_MALFORMED_JSON', 400, `Request body is not valid JSON: ${detail}`);
  }
}

/** The request carries no gateway key, or one that is not configured. */
export class UnauthorizedError extends BulwarkError {
  constructor(message = 'Missing or invalid API key. Send it as "Authorization: Bearer KEY" or "x-api-key: KEY".') {
    super('BULWARK_ERR_UNAUTHORIZED', 401, message);
  }
}

/** An admin route was called without the admin key. */
export class ForbiddenError extends BulwarkError {
  constructor(message = 'This endpoint needs the admin key') {
    super('BULWARK_ERR_FORBIDDEN', 403, message);
  }
}

/** No such endpoint. */
export class RouteNotFoundError extends BulwarkError {
  constructor(method: string, path: string) {
    super('BULWARK_ERR_ROUTE_NOT_FOUND', 404, `No endpoint ${method} ${path}: the Bulwark gateway does not support it (its endpoints are listed in docs/gateway.md)`);
  }
}

/** `GET`/`DELETE /v1/responses/{id}` of a response the gateway did not relay (or no longer remembers). */
export class UnknownResponseError extends BulwarkError {
  constructor(readonly id: string) {
    super('BULWARK_ERR_UNKNOWN_RESPONSE', 404,
      `Response with id '${id}' is not known to this gateway: it was not created through it, or its record expired, so no deployment can be asked for it`);
  }
}

/** The endpoint exists but not for this method. */
export class MethodNotAllowedError extends BulwarkError {
  constructor(readonly allowed: string[], method: string, path: string) {
    super('BULWARK_ERR_METHOD_NOT_ALLOWED', 405, `${method} is not allowed on ${path} (allowed: ${allowed.join(', ')})`);
  }
}

/** The body's content type is not JSON. */
export class UnsupportedMediaTypeError extends BulwarkError {
  constructor(contentType: string) {
    super('BULWARK_ERR_UNSUPPORTED_MEDIA_TYPE', 415, `Content-Type must be application/json (got '${contentType.slice(0, 60)}')`);
  }
}

/** The gateway is shutting down and takes no new requests. */
export class ShuttingDownError extends BulwarkError {
  constructor() {
    super('BULWARK_ERR_SHUTTING_DOWN', 503, 'The gateway is shutting down; retry on another instance');
  }
}

/** An unexpected failure inside the gateway (details are logged, never sent). */
export class InternalError extends BulwarkError {
  constructor(options?: { cause?: unknown }) {
    super('BULWARK_ERR_INTERNAL', 500, 'Internal error', options);
  }
}
