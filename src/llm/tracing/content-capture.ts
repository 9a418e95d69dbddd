/**
 * Whether spans may carry prompts and answers (`gen_ai.input.messages` / `gen_ai.output.messages`).
 * Off unless an operator opts in (`tracing.captureContent: true` in the gateway config, or
 * {@link setTraceContentCapture} in a library). API keys are never recorded either way.
 */
let capture = false;

/** Opts in (or back out of) recording prompts and answers on spans. Default off. */
export function setTraceContentCapture(enabled: boolean): void {
  capture = enabled;
}

/** True when prompts and answers may be recorded on spans. */
export function traceContentCaptured(): boolean {
  return capture;
}
