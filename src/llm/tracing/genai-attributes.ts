/**
 * Span attribute names: the OpenTelemetry GenAI semantic conventions (still "incubating": the
 * semantic-conventions package asks libraries to copy those names rather than import them, since
 * they may change between its minor versions) and Bulwark's own `bulwark.*` attributes.
 */
export const ATTR_GEN_AI_OPERATION_NAME = 'gen_ai.operation.name';
export const ATTR_GEN_AI_PROVIDER_NAME = 'gen_ai.provider.name';
export const ATTR_GEN_AI_REQUEST_MODEL = 'gen_ai.request.model';
export const ATTR_GEN_AI_RESPONSE_MODEL = 'gen_ai.response.model';
export const ATTR_GEN_AI_RESPONSE_ID = 'gen_ai.response.id';
export const ATTR_GEN_AI_RESPONSE_FINISH_REASONS = 'gen_ai.response.finish_reasons';
export const ATTR_GEN_AI_REQUEST_MAX_TOKENS = 'gen_ai.request.max_tokens';
export const ATTR_GEN_AI_REQUEST_TEMPERATURE = 'gen_ai.request.temperature';
export const ATTR_GEN_AI_USAGE_INPUT_TOKENS = 'gen_ai.usage.input_tokens';
export const ATTR_GEN_AI_USAGE_OUTPUT_TOKENS = 'gen_ai.usage.output_tokens';
/** Opt-in only (`tracing.captureContent`): the request's messages as JSON. */
export const ATTR_GEN_AI_INPUT_MESSAGES = 'gen_ai.input.messages';
/** Opt-in only (`tracing.captureContent`): the answer's text. */
export const ATTR_GEN_AI_OUTPUT_MESSAGES = 'gen_ai.output.messages';
export const ATTR_ERROR_TYPE = 'error.type';

/** Route name asked for (the client's `model`). */
export const ATTR_BULWARK_ROUTE = 'bulwark.route';
export const ATTR_BULWARK_TENANT = 'bulwark.tenant';
/** Deployment id, `cache` or `default` (the `x-bulwark-served-by` header). */
export const ATTR_BULWARK_SERVED_BY = 'bulwark.served_by';
export const ATTR_BULWARK_FALLBACK_DEPTH = 'bulwark.fallback_depth';
export const ATTR_BULWARK_ATTEMPTS = 'bulwark.attempts';
export const ATTR_BULWARK_DEGRADED = 'bulwark.degraded';
export const ATTR_BULWARK_CACHE_HIT = 'bulwark.cache_hit';
export const ATTR_BULWARK_STREAM = 'bulwark.stream';
/** Attempt spans: the deployment, its model group, the attempt's number within the request, the breaker state it met. */
export const ATTR_BULWARK_DEPLOYMENT = 'bulwark.deployment';
export const ATTR_BULWARK_GROUP = 'bulwark.group';
export const ATTR_BULWARK_ATTEMPT = 'bulwark.attempt';
export const ATTR_BULWARK_RETRY = 'bulwark.retry';
export const ATTR_BULWARK_BREAKER_STATE = 'bulwark.breaker.state';

/** Span events. */
export const EVENT_RETRY = 'bulwark.retry';
export const EVENT_BREAKER_TRANSITION = 'bulwark.breaker.transition';
export const EVENT_STREAM_CONTINUATION = 'bulwark.stream.continuation';
export const EVENT_FALLBACK = 'bulwark.fallback';
