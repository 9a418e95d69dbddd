/**
 * Sane bounds of config values (pinned by `limits.test.ts`): beyond them a value is a typo or a
 * unit mistake, not a setting. Refused by `bulwark config check` and `serve` alike, by path.
 */

/** The longest timer Node can arm (2^31 - 1 ms, about 24.8 days); a longer one fires at once. */
export const MAX_DURATION_MS = 2_147_483_647;
/** A request body limit below 1 KiB refuses every real chat request. */
export const MIN_BODY_LIMIT_BYTES = 1024;
/** …above 256 MiB one request can take half of the shipped pod's 512 MiB. */
export const MAX_BODY_LIMIT_BYTES = 256 * 1024 * 1024;
/** A buffered answer cap below 1 KiB cuts every answer (the router refuses it too). */
export const MIN_ANSWER_BYTES = 1024;
/** …above 256 MiB one answer can take half of the shipped pod's memory. */
export const MAX_ANSWER_BYTES = 256 * 1024 * 1024;
/** The response cache's byte budget: at most 4 GiB (it lives in the process heap). */
export const MAX_CACHE_BYTES = 4 * 1024 * 1024 * 1024;
/** Cached answers at most (each costs memory beyond its bytes). */
export const MAX_CACHE_ENTRIES = 10_000_000;
/** Alert evaluation and active probes run at most every 100 ms (ops' own floor). */
export const MIN_TICK_MS = 100;
/** Deployment ids the router reserves: `x-bulwark-served-by` takes them for the cache and default answers. */
export { RESERVED_DEPLOYMENT_IDS } from '../../llm/router/validate-config.js';
