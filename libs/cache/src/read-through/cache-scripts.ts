/*
 * Redis side of the read-through cache. Per cached key three Redis keys:
 *   <prefix>g:<key>  generation token of the key (random; created by the first reader that finds none)
 *   <prefix>n:<ns>   generation token of a namespace (list pages), shared by all its keys
 *   <prefix>v:<key>  the entry: hash { kg, ng, p (watermark position or ''), d (JSON value) }
 *
 * Invalidation DELETES the generation token (and the entry). A reader that took token T before it
 * loaded may store its value only while the key's token is still T; after an invalidation the token
 * is gone or is a new random one, never T again, so a value loaded before the invalidation can never
 * be written back over a newer one. An expired or evicted token fails the comparison too (safe side).
 */

/**
 * KEYS: key generation, namespace generation (= KEYS[1] when none), entry.
 * ARGV: fresh key token, fresh namespace token, generation TTL (ms), '1' when a namespace is used.
 * Returns { keyToken, namespaceToken or '', entry kg, entry ng, entry p, entry d } (entry fields false when absent).
 */
export const READ_SCRIPT = `
local kg = redis.call('GET', KEYS[1])
if not kg then
  kg = ARGV[1]
  redis.call('SET', KEYS[1], kg, 'PX', ARGV[3])
end
local ng = ''
if ARGV[4] == '1' then
  ng = redis.call('GET', KEYS[2])
  if not ng then
    ng = ARGV[2]
    redis.call('SET', KEYS[2], ng, 'PX', ARGV[3])
  end
end
local e = redis.call('HMGET', KEYS[3], 'kg', 'ng', 'p', 'd')
return { kg, ng, e[1], e[2], e[3], e[4] }
`;

/**
 * Compare-on-set. KEYS as READ_SCRIPT.
 * ARGV: key token read before loading, namespace token read before loading ('' when none),
 *       '1' when a namespace is used, watermark position ('' when unknown), JSON value,
 *       entry TTL (ms), generation TTL (ms).
 * Returns 1 stored; 0 refused (the key or namespace was invalidated since the read);
 *        -1 kept (an entry of the same generation reflecting a later position is already there).
 */
export const WRITE_SCRIPT = `
local function before(a, b)
  if a == b then return false end
  if a == '' then return true end
  if b == '' then return false end
  if #a ~= #b then return #a < #b end
  return a < b
end
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if ARGV[3] == '1' and redis.call('GET', KEYS[2]) ~= ARGV[2] then return 0 end
local cur = redis.call('HMGET', KEYS[3], 'kg', 'ng', 'p')
if cur[1] == ARGV[1] and cur[2] == ARGV[2] and cur[3] and before(ARGV[4], cur[3]) then return -1 end
redis.call('DEL', KEYS[3])
redis.call('HSET', KEYS[3], 'kg', ARGV[1], 'ng', ARGV[2], 'p', ARGV[4], 'd', ARGV[5])
redis.call('PEXPIRE', KEYS[3], ARGV[6])
redis.call('PEXPIRE', KEYS[1], ARGV[7])
if ARGV[3] == '1' then redis.call('PEXPIRE', KEYS[2], ARGV[7]) end
return 1
`;

/** Raw reply of READ_SCRIPT. */
export type ReadReply = [string, string, string | null, string | null, string | null, string | null];

/** What a reader found: the generation tokens to write back with, and a usable entry if any. */
export interface ReadOutcome {
  keyToken: string;
  namespaceToken: string;
  /** The entry when it belongs to the current generations of key and namespace. */
  entry?: { position?: string; json: string };
}

/** Interprets READ_SCRIPT's reply: an entry of an older generation is no entry. */
export function interpretRead(reply: ReadReply): ReadOutcome {
  const [keyToken, namespaceToken, entryKey, entryNamespace, position, json] = reply;
  const current = entryKey === keyToken && (entryNamespace ?? '') === namespaceToken && json !== null;
  return {
    keyToken,
    namespaceToken,
    entry: current ? { position: position ? position : undefined, json } : undefined,
  };
}
