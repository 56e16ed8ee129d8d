/** How the read models compare positions and instants, and the one form they store instants in. */

/** Digits without a leading zero: such positions compare as numbers by length, then as text. */
const PLAIN_DIGITS = /^[1-9][0-9]*$/;

/** The larger of two positions (strings of digits of any length). */
export function maxPosition(a: string, b: string): string {
  // The projections compare positions for every row they fold: BigInt only for odd spellings.
  if (PLAIN_DIGITS.test(a) && PLAIN_DIGITS.test(b)) {
    if (a.length !== b.length) return a.length > b.length ? a : b;
    return a >= b ? a : b;
  }
  return BigInt(a) >= BigInt(b) ? a : b;
}

/** `Date.prototype.toISOString`'s form for years 0000-9999: such instants compare as text. */
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** The later of two ISO instants; null counts as "never". */
export function laterOf(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  if (b === null) return a;
  if (ISO_INSTANT.test(a) && ISO_INSTANT.test(b)) return a >= b ? a : b;
  return Date.parse(a) >= Date.parse(b) ? a : b;
}

/**
 * Instants already in the stored form whose every field is in range in every month (days up to
 * 28, seconds up to 59): for them `new Date(value).toISOString()` is `value` itself.
 */
const STORED_FORM = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|1\d|2[0-8])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d\.\d{3}Z$/;

/** An instant as the read model stores and returns it: ISO 8601, UTC, millisecond precision. */
export function instant(value: string): string {
  // Events carry their instants in this form already: parsing and printing each was a few
  // percent of a projection's CPU. Any other spelling (offsets, days 29-31) goes through Date.
  return STORED_FORM.test(value) ? value : new Date(value).toISOString();
}
