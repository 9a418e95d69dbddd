import { ServerResponse } from 'node:http';
import type { SecretRedactor } from './secret-redactor.js';

const REDACTOR = Symbol('bulwark.redactor');
const HELD = Symbol('bulwark.redactor.held');
type Guarded = ServerResponse & { [REDACTOR]: SecretRedactor; [HELD]: Buffer | undefined };
type Callback = (error?: Error | null) => void;

type Untyped = (this: ServerResponse, ...args: unknown[]) => unknown;
const baseWrite = ServerResponse.prototype.write as Untyped;
const baseEnd = ServerResponse.prototype.end as Untyped;
const baseWriteHead = ServerResponse.prototype.writeHead as Untyped;
const baseSetHeader = ServerResponse.prototype.setHeader as Untyped;
const baseAppendHeader = (ServerResponse.prototype as { appendHeader?: unknown }).appendHeader as Untyped | undefined;

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

/** A header value (string, number or list, as Node takes them) with every secret blanked. */
function redactValue(redactor: SecretRedactor, value: unknown): unknown {
  if (typeof value === 'string') return redactor.redact(value);
  if (!Array.isArray(value)) return value;
  let out: unknown[] | undefined;
  for (let i = 0; i < value.length; i++) {
    const item: unknown = value[i];
    const clean = typeof item === 'string' ? redactor.redact(item) : item;
    if (clean !== item) (out ??= [...value])[i] = clean;
  }
  return out ?? value;
}

/** Headers as `writeHead` takes them — an object, a flat `[name, value, …]` list or a list of pairs — with their values blanked. */
function redactHeaders(redactor: SecretRedactor, headers: unknown): unknown {
  if (Array.isArray(headers)) {
    return headers.map((item: unknown, i) => (Array.isArray(item) ? [item[0], ...item.slice(1).map((part: unknown) => redactValue(redactor, part))] : i % 2 === 1 ? redactValue(redactor, item) : item));
  }
  if (typeof headers !== 'object' || headers === null) return headers;
  let out: Record<string, unknown> | undefined;
  for (const [name, value] of Object.entries(headers)) {
    const clean = redactValue(redactor, value);
    if (clean !== value) (out ??= { ...headers })[name] = clean;
  }
  return out ?? headers;
}

function guardedWriteHead(this: Guarded, status: number, reason?: unknown, headers?: unknown): ServerResponse {
  if (typeof reason === 'string') return baseWriteHead.call(this, status, reason, redactHeaders(this[REDACTOR], headers)) as ServerResponse;
  return baseWriteHead.call(this, status, redactHeaders(this[REDACTOR], reason)) as ServerResponse;
}

function guardedSetHeader(this: Guarded, name: string, value: unknown): ServerResponse {
  return baseSetHeader.call(this, name, redactValue(this[REDACTOR], value)) as ServerResponse;
}

function guardedAppendHeader(this: Guarded, name: string, value: unknown): ServerResponse {
  return baseAppendHeader!.call(this, name, redactValue(this[REDACTOR], value)) as ServerResponse;
}

/**
 * Makes every byte `res` sends pass through `redactor` (body, stream events, pass-through bytes
 * alike) and every header value it sets (upstream headers handed back by an allow-list may echo a
 * key too), whatever handler writes them. A no-op when the redactor has no secrets. Masks keep
 * each secret's length, so a Content-Length stays true.
 */
export function guardResponse(res: ServerResponse, redactor: SecretRedactor): void {
  if (!redactor.active) return;
  const guarded = res as Guarded;
  guarded[REDACTOR] = redactor;
  guarded[HELD] = undefined;
  res.write = guardedWrite as unknown as ServerResponse['write'];
  res.end = guardedEnd as unknown as ServerResponse['end'];
  res.writeHead = guardedWriteHead as unknown as ServerResponse['writeHead'];
  res.setHeader = guardedSetHeader as unknown as ServerResponse['setHeader'];
  if (baseAppendHeader !== undefined) (res as { appendHeader?: unknown }).appendHeader = guardedAppendHeader;
}
