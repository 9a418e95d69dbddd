import { MAX_ACCUMULATED_ANSWER_CHARS } from '../canonical/answer-accumulator.js';

/**
 * What a relay keeps of a streamed answer: its bytes (for the cache) and its text (for a
 * continuation), each until {@link MAX_ACCUMULATED_ANSWER_CHARS}. Past that the answer is
 * `tooLarge`: everything kept is let go, and the stream is neither cached nor continued.
 */
export class KeptAnswer {
  private chunks: Buffer[] | undefined;
  private keptBytes = 0;
  text = '';
  tooLarge = false;

  constructor(keepBytes: boolean, private readonly keepText: boolean) {
    this.chunks = keepBytes ? [] : undefined;
  }

  /** Keeps relayed bytes (when the answer may be cached). */
  addBytes(bytes: Buffer): void {
    if (this.chunks === undefined || this.tooLarge) return;
    this.keptBytes += bytes.length;
    if (this.keptBytes > MAX_ACCUMULATED_ANSWER_CHARS) return this.overflow();
    this.chunks.push(bytes);
  }

  /** Keeps relayed text (when the answer may be continued). */
  addText(text: string): void {
    if (!this.keepText || this.tooLarge) return;
    if (this.text.length + text.length > MAX_ACCUMULATED_ANSWER_CHARS) return this.overflow();
    this.text += text;
  }

  /** The bytes kept, or undefined when none are (not kept, or too large). */
  bytes(): Buffer | undefined {
    return this.chunks === undefined || this.tooLarge ? undefined : Buffer.concat(this.chunks);
  }

  private overflow(): void {
    this.tooLarge = true;
    this.chunks = undefined;
    this.text = '';
  }
}
