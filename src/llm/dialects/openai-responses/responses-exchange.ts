import type { Clock } from '../../../core/clock.js';
import { AllFallbacksFailedError, LlmError } from '../../errors.js';
import type { Answer, DecoderOptions, Exchange, HeaderMap, StreamDecoder, UnsupportedPolicy, Unsupported, UpstreamCall, UpstreamReply, UpstreamTarget } from '../../exchange.js';
import type { Usage } from '../../types.js';
import { isScanError, parseSpan, scanJsonObject, type ScannedObject } from '../json-scan.js';
import type { WireAnswer } from '../wire/wire-answer.js';
import { WireExchange } from '../wire/wire-exchange.js';
import { OPENAI_RESPONSES } from './dialect.js';
import { ResponsesRelay } from './relay.js';
import type { ResponseOwner, ResponseOwners } from './response-owners.js';

/** A request continuing a stored response: the response and the deployment that holds it. */
export interface PinnedResponse extends ResponseOwner {
  readonly id: string;
}

/**
 * One `POST /v1/responses` as the router sees it: the same-API pass-through of
 * {@link WireExchange} (the client's bytes up, the provider's bytes back), plus Responses' stored
 * state. Every response relayed with `store` on is noted in {@link ResponseOwners}; a request with
 * `previous_response_id` of a known response is pinned to the deployment that holds it — every
 * other deployment is refused in `prepare`, so it never fails over (and never gets a default
 * answer: its error says where the conversation lives). A stateless request fails over like chat.
 */
export class ResponsesExchange implements Exchange<WireAnswer, Buffer> {
  private constructor(
    private readonly inner: WireExchange,
    private readonly owners: ResponseOwners,
    private readonly stores: boolean,
    /** Set when the request continues a response the gateway knows. */
    readonly pinned: PinnedResponse | undefined,
  ) {}

  /**
   * The exchange of a scanned client body. Looks up the owner of `previous_response_id` (an id
   * the gateway never relayed is not pinned: the upstream decides, and a 400 there is the client's).
   */
  static async open(body: Buffer, scanned: ScannedObject, headers: HeaderMap, clock: Clock, owners: ResponseOwners): Promise<ResponsesExchange> {
    const inner = WireExchange.open(OPENAI_RESPONSES, body, scanned, headers, clock);
    const previous = valueAt(body, scanned, 'previous_response_id');
    if (previous !== undefined && previous !== null && typeof previous !== 'string') {
      throw new LlmError('invalid_request', "Invalid request: 'previous_response_id' must be a string", { param: 'previous_response_id' });
    }
    const owner = typeof previous === 'string' ? await owners.owner(previous) : undefined;
    const pinned = owner === undefined ? undefined : { id: previous as string, ...owner };
    return new ResponsesExchange(inner, owners, valueAt(body, scanned, 'store') !== false, pinned);
  }

  get route(): string {
    return this.inner.route;
  }

  get stream(): boolean {
    return this.inner.stream;
  }

  cacheKey(route: string, tenant: string): string {
    return this.inner.cacheKey(route, tenant);
  }

  prepare(target: UpstreamTarget, policy: UnsupportedPolicy): UpstreamCall | Unsupported {
    const pinned = this.pinned;
    if (pinned !== undefined && target.deployment !== pinned.deployment) {
      return { unsupported: [`previous_response_id (response ${pinned.id} is stored on deployment ${pinned.deployment})`] };
    }
    return this.inner.prepare(target, policy);
  }

  read(reply: UpstreamReply, target: UpstreamTarget): Answer<WireAnswer> {
    const answer = this.inner.read(reply, target);
    const scanned = scanJsonObject(answer.value.body, Infinity);
    const id = isScanError(scanned) ? undefined : valueAt(answer.value.body, scanned, 'id');
    if (typeof id === 'string') this.noteOwner(id, target);
    return answer;
  }

  decoder(target: UpstreamTarget, options: DecoderOptions): StreamDecoder<Buffer, WireAnswer> {
    const decoder = this.inner.decoder(target, options);
    if (decoder instanceof ResponsesRelay) decoder.onResponseId = (id) => this.noteOwner(id, target);
    return decoder;
  }

  private noteOwner(id: string, target: UpstreamTarget): void {
    if (this.stores) this.owners.remember(id, { deployment: target.deployment, route: this.inner.route });
  }

  usageOf(answer: WireAnswer): Usage | undefined {
    return this.inner.usageOf(answer);
  }

  replay(answer: WireAnswer): Buffer[] {
    return this.inner.replay(answer);
  }

  defaultAnswer(text: string, requestId: string, nowMs: number): WireAnswer | undefined {
    // A made-up answer would fork the conversation away from the response the client continues.
    if (this.pinned !== undefined) return undefined;
    return this.inner.defaultAnswer(text, requestId, nowMs);
  }

  store(answer: WireAnswer): unknown {
    return this.inner.store(answer);
  }

  restore(stored: unknown): WireAnswer | undefined {
    return this.inner.restore(stored);
  }
}

/** The 503 a request bound to a stored response gets when the deployment holding it cannot answer. */
export function unavailableOwner(pinned: PinnedResponse, cause: unknown): LlmError {
  const why = cause instanceof Error ? `: ${cause.message}` : '';
  return new LlmError(
    'overloaded',
    `Response ${pinned.id} is stored on deployment ${pinned.deployment}, which cannot answer now${why}. ` +
      'Requests that continue or read a stored response are not sent to another deployment (it does not have it); retry later, or start over without previous_response_id.',
    { cause, deployment: pinned.deployment },
  );
}

function valueAt(body: Buffer, scanned: ScannedObject, member: string): unknown {
  const span = scanned.members.get(member);
  return span === undefined ? undefined : parseSpan(body, span);
}

/**
 * The error a caller sees for `error` on `exchange`: when the exchange is bound to a stored
 * response and the whole chain failed, the 503 naming the deployment that holds it
 * ({@link unavailableOwner}); otherwise `error` itself. Used by the gateway and `bulwarkFetch`.
 */
export function explainFailure(exchange: object, error: unknown): unknown {
  const pinned = (exchange as { pinned?: PinnedResponse }).pinned;
  return pinned !== undefined && error instanceof AllFallbacksFailedError ? unavailableOwner(pinned, error.lastError) : error;
}
