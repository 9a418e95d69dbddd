import { randomUUID } from 'node:crypto';
import { LlmError } from '../../errors.js';
import type { Answer, Exchange, HeaderMap, StreamDecoder, Unsupported, UpstreamCall, UpstreamReply, UpstreamTarget } from '../../exchange.js';
import type { Usage } from '../../types.js';
import { forwardedHeaders } from '../wire/wire-exchange.js';
import { JSON_CONTENT_TYPE, restoreWireAnswer, storeWireAnswer, type WireAnswer } from '../wire/wire-answer.js';
import { OPENAI_RESPONSES } from './dialect.js';
import type { ResponseOwners } from './response-owners.js';
import type { PinnedResponse } from './responses-exchange.js';

/**
 * `GET` or `DELETE /v1/responses/{id}` as the router sees it: sent only to the deployment that
 * holds the response (every other one is refused in `prepare`), through that deployment's
 * breaker, retries and timeouts; the answer handed back as it came. A read may be served from a
 * stale copy when that deployment is down (stale-if-error); a delete never is, and forgets the
 * owner once it succeeded. Neither has a default answer: the error names the deployment.
 */
export class StoredResponseExchange implements Exchange<WireAnswer, Buffer> {
  readonly stream = false;
  private readonly headers: Readonly<Record<string, string>>;

  constructor(
    readonly method: 'GET' | 'DELETE',
    readonly pinned: PinnedResponse,
    headers: HeaderMap,
    private readonly owners: ResponseOwners,
  ) {
    this.headers = forwardedHeaders(OPENAI_RESPONSES, headers);
  }

  get route(): string {
    return this.pinned.route;
  }

  cacheKey(route: string, tenant: string): string {
    // Reads of one response share a key; every delete is its own (never answered from a cache).
    const what = this.method === 'GET' ? this.pinned.id : `delete:${randomUUID()}`;
    return `bulwark:cache:responses:${route}\u0000${tenant}\u0000${what}`;
  }

  prepare(target: UpstreamTarget): UpstreamCall | Unsupported {
    if (target.deployment !== this.pinned.deployment) return { unsupported: [`response ${this.pinned.id} (stored on deployment ${this.pinned.deployment})`] };
    return { endpoint: `responses/${encodeURIComponent(this.pinned.id)}`, method: this.method, model: target.model, headers: this.headers, stream: false };
  }

  read(reply: UpstreamReply): Answer<WireAnswer> {
    if (this.method === 'DELETE') this.owners.forget(this.pinned.id);
    const headers: Record<string, string> = {};
    for (const name in reply.headers) {
      const value = reply.headers[name];
      const as = value === undefined ? undefined : OPENAI_RESPONSES.passBack(name);
      if (as !== undefined) headers[as] = Array.isArray(value) ? value.join(', ') : value!;
    }
    const type = reply.headers['content-type'];
    return { value: { status: reply.status, contentType: typeof type === 'string' ? type : JSON_CONTENT_TYPE, headers, body: reply.body }, usage: undefined };
  }

  decoder(): StreamDecoder<Buffer, WireAnswer> {
    throw new LlmError('internal', `${this.method} /v1/responses/{id} never streams`);
  }

  usageOf(): Usage | undefined {
    return undefined;
  }

  replay(answer: WireAnswer): Buffer[] {
    return [answer.body];
  }

  defaultAnswer(): WireAnswer | undefined {
    return undefined;
  }

  store(answer: WireAnswer): unknown {
    return storeWireAnswer(answer);
  }

  restore(stored: unknown): WireAnswer | undefined {
    return this.method === 'GET' ? restoreWireAnswer(stored) : undefined;
  }
}
