export { TRACER_NAME, RequestTrace, AttemptTrace, type TracedDeployment, type TracedOutcome } from './request-trace.js';
export { REQUEST_SPAN_KEY, ownedRequestSpan } from './request-span-key.js';
export { setTraceContentCapture, traceContentCaptured } from './content-capture.js';
export { propagateTraceContextUpstream, stopTraceContextPropagation } from './upstream-propagation.js';
export * from './genai-attributes.js';
