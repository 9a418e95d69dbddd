/**
 * A validating scan of JSON bytes that builds nothing: it checks the syntax and the nesting
 * depth, and reports where each top-level member's value lies, so a body can be passed on as it
 * came with only a field or two replaced — no JSON.parse, no string copy of a 30 MB image.
 */

/** Where one top-level member's value lies in the scanned bytes: `[start, end)`. */
export interface Span {
  readonly start: number;
  readonly end: number;
}

/** A scanned top-level object: its members' value spans by key, and the offset of its closing `}`. */
export interface ScannedObject {
  readonly members: ReadonlyMap<string, Span>;
  readonly closeAt: number;
}

/** Why bytes are not a JSON object (`at` is the byte offset). */
export interface ScanError {
  readonly error: string;
  readonly at: number;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;

class Failure {
  constructor(readonly error: string, readonly at: number) {}
}

/**
 * Scans `bytes` as one JSON object. Returns its top-level members' spans, or why it is not valid
 * JSON (`objects and arrays nest deeper than maxDepth levels` included). UTF-8 validity is the
 * caller's check (`isUtf8`); inside strings, any byte ≥ 0x20 is accepted.
 *
 * @example const scanned = scanJsonObject(body, 128); if ('error' in scanned) throw bad(scanned.error);
 */
export function scanJsonObject(bytes: Uint8Array, maxDepth: number): ScannedObject | ScanError {
  const scanner = new Scanner(bytes, maxDepth);
  try {
    return scanner.topLevel();
  } catch (error) {
    if (error instanceof Failure) return { error: error.error, at: error.at };
    throw error;
  }
}

/**
 * The bytes to cut from a scanned object to leave out the member whose value lies at `value`:
 * its name, colon and value, and one comma separating it from a neighbour — so what is left is
 * still the same object, minus that member.
 */
export function memberCut(bytes: Uint8Array, value: Span): Span {
  let start = skipSpaceBack(bytes, value.start - 1); // the colon
  start = skipSpaceBack(bytes, start - 1); // the name's closing quote
  // A member name the scanner matched against a plain name holds no escaped quote.
  start = bytes.lastIndexOf(QUOTE, start - 1);
  const before = skipSpaceBack(bytes, start - 1);
  if (bytes[before] === COMMA) return { start: before, end: value.end };
  let after = value.end;
  while (isSpace(bytes[after])) after++;
  return bytes[after] === COMMA ? { start, end: after + 1 } : { start, end: value.end };
}

function isSpace(c: number | undefined): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

function skipSpaceBack(bytes: Uint8Array, at: number): number {
  while (at > 0 && isSpace(bytes[at])) at--;
  return at;
}

/** True when a scan result is an error. */
export function isScanError(value: ScannedObject | ScanError): value is ScanError {
  return (value as ScanError).error !== undefined;
}

class Scanner {
  private i = 0;

  constructor(private readonly b: Uint8Array, private readonly maxDepth: number) {}

  topLevel(): ScannedObject {
    this.ws();
    if (this.b[this.i] !== OPEN_BRACE) this.fail('the body must be a JSON object');
    const members = new Map<string, Span>();
    const closeAt = this.object(1, members);
    this.end();
    return { members, closeAt };
  }

  private end(): void {
    this.ws();
    if (this.i < this.b.length) this.fail('unexpected data after the JSON value');
  }

  private fail(message: string): never {
    const where = this.i >= this.b.length ? 'at the end of the body' : `at byte ${this.i}`;
    throw new Failure(`${message} ${where}`, this.i);
  }

  private ws(): void {
    const b = this.b;
    let i = this.i;
    for (;;) {
      const c = b[i];
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) i++;
      else break;
    }
    this.i = i;
  }

  private value(depth: number): void {
    const c = this.b[this.i];
    if (c === QUOTE) return this.string();
    if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (depth + 1 > this.maxDepth) this.fail(`objects and arrays nest deeper than ${this.maxDepth} levels`);
      if (c === OPEN_BRACE) {
        this.object(depth + 1);
        return;
      }
      return this.array(depth + 1);
    }
    if (c === 0x74) return this.literal('true');
    if (c === 0x66) return this.literal('false');
    if (c === 0x6e) return this.literal('null');
    if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return this.number();
    this.fail('expected a JSON value');
  }

  /**
   * Scans an object (at its `{`); returns the offset of its `}`. With `members`, records each
   * member's value span by key (the top level: a repeated key's last one wins, as JSON.parse and
   * the providers read it).
   */
  private object(depth: number, members?: Map<string, Span>): number {
    const b = this.b;
    this.i++;
    this.ws();
    if (b[this.i] === CLOSE_BRACE) return this.i++;
    for (;;) {
      this.ws();
      if (b[this.i] !== QUOTE) this.fail('expected a member name');
      const keyStart = this.i;
      this.string();
      const key = members === undefined ? undefined : decodeKey(b, keyStart, this.i);
      this.ws();
      if (b[this.i] !== COLON) this.fail("expected ':'");
      this.i++;
      this.ws();
      const start = this.i;
      this.value(depth);
      if (key !== undefined) members!.set(key, { start, end: this.i });
      this.ws();
      const c = b[this.i];
      if (c === COMMA) {
        this.i++;
        continue;
      }
      if (c === CLOSE_BRACE) return this.i++;
      this.fail("expected ',' or '}'");
    }
  }

  private array(depth: number): void {
    const b = this.b;
    this.i++;
    this.ws();
    if (b[this.i] === CLOSE_BRACKET) {
      this.i++;
      return;
    }
    for (;;) {
      this.ws();
      this.value(depth);
      this.ws();
      const c = b[this.i];
      if (c === COMMA) {
        this.i++;
        continue;
      }
      if (c === CLOSE_BRACKET) {
        this.i++;
        return;
      }
      this.fail("expected ',' or ']'");
    }
  }

  private string(): void {
    const b = this.b;
    const length = b.length;
    let i = this.i + 1;
    for (;;) {
      // The long runs (base64 images, prompts) are found by the native search for the next quote.
      const quote = b.indexOf(QUOTE, i);
      if (quote < 0) {
        this.i = length;
        this.fail('unterminated string');
      }
      for (let j = i; j < quote; j++) {
        const c = b[j];
        if (c < 0x20) {
          this.i = j;
          this.fail('control character in a string');
        }
        if (c === BACKSLASH) {
          const e = b[j + 1];
          if (e === 0x75) {
            for (let k = j + 2; k < j + 6; k++) {
              if (!isHex(b[k])) {
                this.i = k;
                this.fail('bad \\u escape');
              }
            }
            j += 5;
          } else if (e === QUOTE || e === BACKSLASH || e === 0x2f || e === 0x62 || e === 0x66 || e === 0x6e || e === 0x72 || e === 0x74) {
            j++;
          } else {
            this.i = j;
            this.fail('bad escape in a string');
          }
        }
      }
      // The quote is escaped when preceded by an odd run of backslashes.
      let backslashes = 0;
      for (let k = quote - 1; k > this.i && b[k] === BACKSLASH; k--) backslashes++;
      if (backslashes % 2 === 0) {
        this.i = quote + 1;
        return;
      }
      i = quote + 1;
    }
  }

  private number(): void {
    const b = this.b;
    let i = this.i;
    if (b[i] === 0x2d) i++;
    if (b[i] === 0x30) i++;
    else if (b[i] >= 0x31 && b[i] <= 0x39) while (b[i] >= 0x30 && b[i] <= 0x39) i++;
    else {
      this.i = i;
      this.fail('bad number');
    }
    if (b[i] === 0x2e) {
      i++;
      if (!(b[i] >= 0x30 && b[i] <= 0x39)) {
        this.i = i;
        this.fail('bad number');
      }
      while (b[i] >= 0x30 && b[i] <= 0x39) i++;
    }
    if (b[i] === 0x65 || b[i] === 0x45) {
      i++;
      if (b[i] === 0x2b || b[i] === 0x2d) i++;
      if (!(b[i] >= 0x30 && b[i] <= 0x39)) {
        this.i = i;
        this.fail('bad number');
      }
      while (b[i] >= 0x30 && b[i] <= 0x39) i++;
    }
    this.i = i;
  }

  private literal(word: string): void {
    const b = this.b;
    for (let k = 0; k < word.length; k++) {
      if (b[this.i + k] !== word.charCodeAt(k)) this.fail('expected a JSON value');
    }
    this.i += word.length;
  }
}

function isHex(c: number | undefined): boolean {
  return c !== undefined && ((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66));
}

/** The text of a member name spanning `[start, end)` (quotes included). */
function decodeKey(b: Uint8Array, start: number, end: number): string {
  const raw = Buffer.from(b.buffer, b.byteOffset + start, end - start);
  return raw.includes(BACKSLASH) ? (JSON.parse(raw.toString('utf8')) as string) : raw.toString('utf8', 1, raw.length - 1);
}

/** The JSON value at `span` of `bytes`, parsed (for the few small members a same-API exchange reads: `model`, `stream`). */
export function parseSpan(bytes: Uint8Array, span: Span): unknown {
  return JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset + span.start, span.end - span.start).toString('utf8'));
}
