/** Counting how deep JSON text nests, without parsing it (nesting bombs overflow recursive code). */

/**
 * True when the JSON text in `body` nests objects/arrays deeper than `max`. One pass over the
 * bytes, no allocation; brackets inside strings are skipped (escapes included). Meant for a body
 * that already parsed.
 */
export function nestsDeeperThan(body: Uint8Array, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}
