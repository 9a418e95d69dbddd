/**
 * What the mock remembers between requests, per deployment, as the real APIs do: stored
 * Responses (`store: true`, read by `previous_response_id` and `GET /v1/responses/{id}`) and the
 * prompt-cache prefixes Anthropic has seen (`cache_control`). A response stored on one
 * deployment is not found on another, so tests see what state-bound routing must do.
 */

/** Entries kept per kind before the oldest are forgotten (the mock runs for hours under load). */
export const MOCK_STATE_LIMIT = 10_000;

/** A stored Response: its JSON as sent, and the prompt characters a follow-up inherits. */
export interface StoredResponse {
  readonly model: string;
  readonly json: string;
  /** Characters of the conversation so far (input and output), counted into a follow-up's prompt. */
  readonly conversationChars: number;
}

const keyOf = (deployment: string | undefined, id: string) => `${deployment ?? ''}\u0000${id}`;

function remember<V>(map: Map<string, V>, key: string, value: V): void {
  map.delete(key);
  if (map.size >= MOCK_STATE_LIMIT) map.delete(map.keys().next().value as string);
  map.set(key, value);
}

/** The mock's memory; `clear()` is part of the mock's `reset()`. */
export class MockState {
  private readonly responses = new Map<string, StoredResponse>();
  private readonly cachePrefixes = new Map<string, true>();

  storeResponse(deployment: string | undefined, id: string, response: StoredResponse): void {
    remember(this.responses, keyOf(deployment, id), response);
  }

  response(deployment: string | undefined, id: string): StoredResponse | undefined {
    return this.responses.get(keyOf(deployment, id));
  }

  /** Forgets a stored response; false when there was none. */
  deleteResponse(deployment: string | undefined, id: string): boolean {
    return this.responses.delete(keyOf(deployment, id));
  }

  /** True when this deployment has cached the prefix `key` already. */
  hasCachePrefix(deployment: string | undefined, key: string): boolean {
    return this.cachePrefixes.has(keyOf(deployment, key));
  }

  addCachePrefix(deployment: string | undefined, key: string): void {
    remember(this.cachePrefixes, keyOf(deployment, key), true);
  }

  clear(): void {
    this.responses.clear();
    this.cachePrefixes.clear();
  }
}
