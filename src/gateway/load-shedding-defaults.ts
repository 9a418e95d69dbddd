/**
 * Defaults of the gateway's load shedding (pinned by `load-shedding.test.ts`). Off by default:
 * a limit that adapts to latency is right for production, surprising on a laptop demo.
 */

/** Load shedding is opt-in (`loadShedding.enabled: true`). */
export const DEFAULT_SHEDDING_ENABLED = false;
/** The whole gateway starts at 100 requests at once… */
export const DEFAULT_GATEWAY_INITIAL_LIMIT = 100;
/** …never adapts below 10… */
export const DEFAULT_GATEWAY_MIN_LIMIT = 10;
/** …nor above 5000. */
export const DEFAULT_GATEWAY_MAX_LIMIT = 5_000;
/** One deployment starts at 50 calls at once… */
export const DEFAULT_DEPLOYMENT_INITIAL_LIMIT = 50;
/** …never below 2… */
export const DEFAULT_DEPLOYMENT_MIN_LIMIT = 2;
/** …nor above 1000. */
export const DEFAULT_DEPLOYMENT_MAX_LIMIT = 1_000;
/** Share of the limit each priority class may fill: low-priority traffic is refused first, high last. */
export const DEFAULT_PRIORITY_SHARES = Object.freeze({ high: 1, normal: 0.9, low: 0.6 });
/** Header a client uses to lower (never raise above its key's) priority. */
export const PRIORITY_HEADER = 'x-bulwark-priority';
