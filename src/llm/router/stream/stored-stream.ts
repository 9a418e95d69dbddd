import { LlmError } from '../../errors.js';
import type { ExchangeStream, ServedInfo } from '../../types.js';

/**
 * A stream replaying a stored answer (a cache hit or the default answer). `onEnd` runs once when
 * iteration ends, with whether the caller read it to the end.
 */
export class StoredStream<U> implements ExchangeStream<U> {
  private iterated = false;
  readonly upstreamHeaders = undefined;

  constructor(
    private readonly units: readonly U[],
    readonly served: ServedInfo,
    private readonly onEnd: (complete: boolean) => void,
  ) {}

  [Symbol.asyncIterator](): AsyncIterator<U> {
    if (this.iterated) throw new LlmError('bad_request', 'A router stream can be iterated only once');
    this.iterated = true;
    return this.replay();
  }

  private async *replay(): AsyncGenerator<U> {
    let complete = false;
    try {
      yield* this.units;
      complete = true;
    } finally {
      this.onEnd(complete);
    }
  }
}
