import type { IncomingMessage } from 'node:http';
import { CancelledError } from '../../core/errors.js';
import { BodyTooLargeError } from '../errors.js';

const STATE = Symbol('bulwark.body');

interface BodyState {
  chunks: Buffer[];
  size: number;
  limit: number;
  resolve: (body: Buffer) => void;
  reject: (error: unknown) => void;
}
type Reading = IncomingMessage & { [STATE]?: BodyState };

// Module-level listeners (`this` is the request): no closures per request on the hot path.
/**
 * Bytes past the body limit read and thrown away (so the client can read its 413 on a live
 * connection) before the connection is cut: a chunked upload that never ends is not read until
 * the request timeout.
 */
export const MAX_DISCARDED_BYTES = 1_048_576;

function onData(this: Reading, chunk: Buffer): void {
  const state = this[STATE]!;
  state.size += chunk.length;
  if (state.size > state.limit) {
    finish(this);
    state.chunks = [];
    state.size = 0;
    this.on('data', onDiscard);
    this.resume(); // drain and discard the rest so the socket can answer 413
    state.reject(new BodyTooLargeError(state.limit));
    return;
  }
  state.chunks.push(chunk);
}

function ignore(): void {}

function onDiscard(this: Reading, chunk: Buffer): void {
  const state = this[STATE]!;
  state.size += chunk.length;
  if (state.size > MAX_DISCARDED_BYTES) {
    this.off('data', onDiscard);
    this.socket?.destroy();
  }
}

function onEnd(this: Reading): void {
  const state = this[STATE]!;
  finish(this);
  state.resolve(state.chunks.length === 1 ? state.chunks[0] : Buffer.concat(state.chunks, state.size));
}

// A request stream only fails when its client goes away: a cancellation (499), not a gateway
// fault, so it is neither answered with 500 nor logged as an unexpected error.
function onError(this: Reading, error: Error): void {
  const state = this[STATE];
  if (!state) return;
  finish(this);
  state.reject(new CancelledError('The client closed the connection before sending its whole body', { cause: error }));
}

function onAborted(this: Reading): void {
  onError.call(this, new Error('aborted'));
}

function finish(req: Reading): void {
  req.off('data', onData);
  req.off('end', onEnd);
  req.off('error', onError);
  req.off('aborted', onAborted);
}

/**
 * Reads a request body up to `limitBytes`. Rejects with {@link BodyTooLargeError} as soon as the
 * declared `content-length` or the bytes received pass the limit (the rest is not buffered).
 * Rejects with a `CancelledError` (its cause: the stream's error) if the client goes away.
 */
export function readBody(req: IncomingMessage, limitBytes: number): Promise<Buffer> {
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > limitBytes) {
    (req as Reading)[STATE] = { chunks: [], size: 0, limit: limitBytes, resolve: ignore, reject: ignore };
    req.on('data', onDiscard);
    req.resume();
    return Promise.reject(new BodyTooLargeError(limitBytes));
  }
  return new Promise<Buffer>((resolve, reject) => {
    (req as Reading)[STATE] = { chunks: [], size: 0, limit: limitBytes, resolve, reject };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('aborted', onAborted);
  });
}
