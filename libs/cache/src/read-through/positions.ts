/**
 * A position in the global event order (the event store's bigint `position`), as the read model
 * reports having applied it. Accepted as a decimal string, a safe integer or a bigint.
 */
export type Position = string | number | bigint;

const DECIMAL = /^(0|[1-9][0-9]*)$/;

/** The canonical decimal form of a position; throws on anything that is not a non-negative integer. */
export function normalizePosition(position: Position): string {
  if (typeof position === 'bigint') {
    if (position < 0n) throw new Error(`Invalid position ${position}: must not be negative`);
    return position.toString();
  }
  if (typeof position === 'number') {
    if (!Number.isSafeInteger(position) || position < 0) {
      throw new Error(`Invalid position ${position}: must be a non-negative safe integer`);
    }
    return String(position);
  }
  if (!DECIMAL.test(position)) throw new Error(`Invalid position '${position}': must be a non-negative integer`);
  return position;
}

/**
 * Whether a value that reflects `watermark` (undefined: unknown) may answer a request that needs
 * at least `minPosition` (undefined: any). An unknown watermark never satisfies a minimum.
 */
export function satisfiesMinimum(watermark: string | undefined, minPosition: string | undefined): boolean {
  if (minPosition === undefined) return true;
  if (watermark === undefined) return false;
  return BigInt(watermark) >= BigInt(minPosition);
}
