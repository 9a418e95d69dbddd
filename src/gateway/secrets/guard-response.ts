import { ServerResponse } from 'node:http';
import type { SecretRedactor } from './secret-redactor.js';

const REDACTOR = Symbol('bulwark.redactor');
const HELD = Symbol('bulwark.redactor.held');
type Guarded = ServerResponse & { [REDACTOR]: SecretRedactor; [HELD]: Buffer | undefined };
type Callback = (error?: Error | null) => void;

type Untyped = (this: ServerResponse, ...args: unknown[]) => unknown;
const baseWrite = ServerResponse.prototype.write as Untyped;
const baseEnd = ServerResponse.prototype.end as Untyped;

function toBytes(chunk: unknown, encoding: BufferEncoding | undefined): Buffer {
  if (typeof chunk === 'string') return Buffer.from(chunk, encoding ?? 'utf8');
  if (Buffer.isBuffer(chunk)) return chunk;
  const view = chunk as ArrayBufferView;
  return Buffer.from(view.buffer, view.byteOffset, view.byteLength);
}

/** The chunk, after what was held back from the previous one, with every secret blanked. */
function take(res: Guarded, chunk: unknown, encoding: BufferEncoding | undefined): Buffer {
  let bytes = toBytes(chunk, encoding);
  const held = res[HELD];
  if (held !== undefined) {
    bytes = Buffer.concat([held, bytes]);
    res[HELD] = undefined;
  }
  return res[REDACTOR].redactBytes(bytes);
}

// Shared functions (no closure per response); `this` is the guarded response.
function guardedWrite(this: Guarded, chunk: unknown, encoding?: BufferEncoding | Callback, callback?: Callback): boolean {
  if (typeof encoding === 'function') {
    callback = encoding;
    encoding = undefined;
  }
  const bytes = take(this, chunk, encoding);
  // A secret split across two writes would pass both scans: hold back a tail that could start one.
  const keep = this[REDACTOR].heldTail(bytes);
  if (keep > 0) this[HELD] = Buffer.from(bytes.subarray(bytes.length - keep));
  const out = keep > 0 ? bytes.subarray(0, bytes.length - keep) : bytes;
  return (callback ? baseWrite.call(this, out, callback) : baseWrite.call(this, out)) as boolean;
}

function guardedEnd(this: Guarded, chunk?: unknown, encoding?: BufferEncoding | Callback, callback?: Callback): ServerResponse {
  if (typeof chunk === 'function') {
    callback = chunk as Callback;
    chunk = undefined;
  }
  if (typeof encoding === 'function') {
    callback = encoding;
    encoding = undefined;
  }
  const out = chunk === undefined || chunk === null ? this[HELD] : take(this, chunk, encoding);
  this[HELD] = undefined;
  if (out === undefined) return (callback ? baseEnd.call(this, callback) : baseEnd.call(this)) as ServerResponse;
  return (callback ? baseEnd.call(this, out, callback) : baseEnd.call(this, out)) as ServerResponse;
}

/**
 * Makes every byte `res` sends pass through `redactor` (body, stream events, pass-through bytes
 * alike), whatever handler writes it. A no-op when the redactor has no secrets. Masks keep each
 * secret's length, so a Content-Length stays true. Headers are not rewritten.
 */
export function guardResponse(res: ServerResponse, redactor: SecretRedactor): void {
  if (!redactor.active) return;
  const guarded = res as Guarded;
  guarded[REDACTOR] = redactor;
  guarded[HELD] = undefined;
  res.write = guardedWrite as unknown as ServerResponse['write'];
  res.end = guardedEnd as unknown as ServerResponse['end'];
}
