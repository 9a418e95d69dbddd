/**
 * Blanks configured secrets (provider keys, credential headers, Redis passwords, webhook URLs)
 * out of text and bytes. One instance per gateway process, shared by the HTTP edge (every byte
 * written to a client: {@link guardResponse}) and the logger (every line), and updated when a
 * reload brings new secrets. Secrets shorter than {@link MIN_SECRET_LENGTH} are not searched for
 * (they would blank ordinary words).
 */

/** Shortest value treated as a secret. Default 8 characters. */
export const MIN_SECRET_LENGTH = 8;

/** What replaces a secret: `[redacted]`, padded or cut to the secret's own byte length. */
export function maskFor(byteLength: number): string {
  const mask = '[redacted]';
  return byteLength >= mask.length ? mask + '*'.repeat(byteLength - mask.length) : '*'.repeat(byteLength);
}

/** A set of secrets to blank. The replacement keeps each secret's byte length (a Content-Length stays true). */
export class SecretRedactor {
  private secrets: string[] = [];
  private needles: Buffer[] = [];
  private masks: Buffer[] = [];
  /** First bytes of the secrets: the cheap test before comparing a chunk's tail with a secret's start. */
  private firstBytes = new Set<number>();
  private longest = 0;

  constructor(secrets: Iterable<string> = []) {
    this.update(secrets);
  }

  /** True when there is at least one secret to look for. */
  get active(): boolean {
    return this.needles.length > 0;
  }

  /** Replaces the secrets (a reload). Longer secrets are matched first, so one containing another is blanked whole. */
  update(secrets: Iterable<string>): void {
    const unique = [...new Set([...secrets].filter((s) => s.length >= MIN_SECRET_LENGTH))].sort((a, b) => b.length - a.length);
    this.secrets = unique;
    this.needles = unique.map((s) => Buffer.from(s, 'utf8'));
    this.masks = this.needles.map((n) => Buffer.from(maskFor(n.length), 'utf8'));
    this.firstBytes = new Set(this.needles.map((n) => n[0]));
    this.longest = this.needles.reduce((max, n) => Math.max(max, n.length), 0);
  }

  /** `text` with every secret blanked. */
  redact(text: string): string {
    let out = text;
    for (let i = 0; i < this.secrets.length; i++) {
      if (out.includes(this.secrets[i])) out = out.split(this.secrets[i]).join(this.masks[i].toString('utf8'));
    }
    return out;
  }

  /** `bytes` with every secret blanked (the same buffer when there was none). */
  redactBytes(bytes: Buffer): Buffer {
    let out = bytes;
    for (let i = 0; i < this.needles.length; i++) {
      const needle = this.needles[i];
      let at = out.indexOf(needle);
      if (at === -1) continue;
      if (out === bytes) out = Buffer.from(bytes); // copy once: never write into the caller's buffer
      while (at !== -1) {
        this.masks[i].copy(out, at);
        at = out.indexOf(needle, at + needle.length);
      }
    }
    return out;
  }

  /**
   * How many bytes at the end of `bytes` could be the start of a secret that the next chunk
   * completes (0 almost always: SSE chunks end in a newline, which no secret starts with).
   */
  heldTail(bytes: Buffer): number {
    const n = bytes.length;
    if (n === 0 || this.longest === 0) return 0;
    for (let k = Math.min(this.longest - 1, n); k >= 1; k--) {
      if (!this.firstBytes.has(bytes[n - k])) continue;
      for (const needle of this.needles) {
        if (needle.length > k && bytes.compare(needle, 0, k, n - k, n) === 0) return k;
      }
    }
    return 0;
  }
}
