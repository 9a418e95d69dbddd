import { LlmError } from '../../errors.js';
import type { ChatResponse, ChatStream, ServedInfo, StreamEvent } from '../../types.js';
import { eventsOf } from './answer-accumulator.js';

/**
 * A stream replaying a stored answer (a cache hit or the default answer). `onEnd` runs once when
 * iteration ends, with whether the caller read it to the end.
 */
export class StoredStream implements ChatStream {
  private iterated = false;

  constructor(
    private readonly response: ChatResponse,
    readonly served: ServedInfo,
    private readonly onEnd: (complete: boolean) => void,
  ) {}

  [Symbol.asyncIterator](): AsyncIterator<StreamEvent> {
    if (this.iterated) throw new LlmError('bad_request', 'A router stream can be iterated only once');
    this.iterated = true;
    return this.events();
  }

  private async *events(): AsyncGenerator<StreamEvent> {
    let complete = false;
    try {
      yield* eventsOf(this.response);
      complete = true;
    } finally {
      this.onEnd(complete);
    }
  }
}
