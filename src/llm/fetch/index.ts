// The fetch wrapper: any SDK gets the router's resilience in-process.
export { bulwarkFetch, type BulwarkFetch, type BulwarkFetchOptions } from './bulwark-fetch.js';
