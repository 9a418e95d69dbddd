import { createRouter } from '../llm/router/create-router.js';
import type { RouterFactory } from './gateway.js';

/** The gateway's router: the LLM router (`src/llm/router`), on the gateway's clock. */
export const defaultRouterFactory: RouterFactory = (config, deps) => createRouter(config, deps);
