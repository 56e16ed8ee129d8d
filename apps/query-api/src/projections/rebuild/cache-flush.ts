import Redis from 'ioredis';

/**
 * Deletes every key under `prefix` (SCAN + UNLINK, in batches; never FLUSHDB: Redis is shared).
 * After a switch the cached answers came from the replaced tables; the read-through cache's
 * compare-on-set refuses to store a value loaded before its key's generation token was deleted,
 * so a load that straddles the flush cannot write an old answer back. Returns the keys deleted.
 */
export async function flushCachePrefix(redis: Redis, prefix: string): Promise<number> {
  let cursor = '0';
  let deleted = 0;
  const pattern = `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) deleted += await redis.unlink(...keys);
  } while (cursor !== '0');
  return deleted;
}
