import type { RejectionReason } from '../../llm/router-events.js';
import type { ServedInfo } from '../../llm/types.js';
import type { RequestEvent } from '../../llm/router-events.js';
import type { KeyGrant } from '../auth.js';
import type { GatewayDialect } from '../dialect.js';

/** How an answer that did not come from the router is described in the x-bulwark-* headers. */
export const NOT_SERVED: ServedInfo = Object.freeze({ servedBy: 'none', attempts: 0, fallbackDepth: 0, degraded: false });

/** What the gateway knows about one request while it runs. One object per request, nothing else. */
export class RequestContext {
  /** The tenant of the caller's key (`default` when no keys are configured). */
  tenant = 'default';
  priority: 'low' | 'normal' | 'high' = 'normal';
  grant: KeyGrant | undefined = undefined;
  /** How the answer was served (for the headers); set by the chat handler. */
  served: ServedInfo = NOT_SERVED;
  /** Aborts the upstream work when the client goes away; created only by handlers that need it. */
  controller: AbortController | undefined = undefined;
  /** Answer status, for logs. */
  status = 0;
  /** The route (model) asked for, once the body is parsed (chat endpoints). */
  route: string | undefined = undefined;
  /** The request asked for a stream (chat endpoints, once parsed). */
  stream = false;
  /** Set when the gateway itself refused the request: counted in metrics, SLA and alerts when it ends. */
  refusal: RejectionReason | undefined = undefined;
  /** Clock time the first answer byte was written for a stream (0 until then): the load shedder's first-token sample. */
  firstByteAt = 0;
  /** Output tokens of a whole (non-streamed) answer, for the load shedder's sample. */
  outputTokens = 0;
  /** The router's account of this request (tokens, TTFT, route), kept only while an access log is on. */
  outcome: RequestEvent | undefined = undefined;
  /** The request's server span and trace context, owned by the request observer (undefined when not traced). */
  trace: unknown = undefined;
  /** The tenant-quota slot this request holds (released when it ends), and who gave it. */
  quotaHolder: string | undefined = undefined;
  quotas: { release(context: RequestContext): void } | undefined = undefined;

  constructor(
    readonly requestId: string,
    readonly method: string,
    readonly path: string,
    /** The dialect errors are written in. */
    public dialect: GatewayDialect,
    readonly startedAt: number,
  ) {}

  /** The signal that aborts when the client disconnects before the answer is complete. */
  get signal(): AbortSignal {
    this.controller ??= new AbortController();
    return this.controller.signal;
  }
}
