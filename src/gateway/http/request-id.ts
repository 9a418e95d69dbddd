import { randomBytes } from 'node:crypto';

const SANE_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const POOL_SIZE = 4096;
let pool = Buffer.alloc(0);
let offset = POOL_SIZE;

/**
 * The request id for one request: the client's `x-request-id` when it is sane (1–128 of
 * `A-Z a-z 0-9 . _ : -`), else a fresh 24-hex-character id. Random bytes are drawn in blocks, so
 * generating an id costs no system call per request.
 */
export function requestIdFor(incoming: string | string[] | undefined): string {
  if (typeof incoming === 'string' && SANE_ID.test(incoming)) return incoming;
  if (offset + 12 > POOL_SIZE) {
    pool = randomBytes(POOL_SIZE);
    offset = 0;
  }
  const id = pool.toString('hex', offset, offset + 12);
  offset += 12;
  return id;
}
