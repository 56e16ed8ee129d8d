import { parse as parseWithoutV8 } from 'lossless-json';

/**
 * JSON.parse, safe from a V8 bug in Node 24 and later (nodejs/node#63785): once some earlier
 * parse has seen an object key `\`, a later escaped key such as `"\""` can come back as `\`, so
 * data with such keys would be changed silently (our fault soak found it: a settings key `"` read
 * as `\` by the outbox relay, once in 30,000 events). Only keys written with an escape are hit, so
 * texts without a backslash go to the native parser; the others to lossless-json's parser, which
 * decodes keys itself. Numbers become plain numbers, as with JSON.parse. One difference: on that
 * path a key given twice with different values is refused, where JSON.parse keeps the last one.
 */
export function parseJson(text: string, reviver?: (key: string, value: unknown) => unknown): unknown {
  if (!text.includes('\\')) return reviver ? JSON.parse(text, reviver) : JSON.parse(text);
  const parsed = parseWithoutV8(text, reviver ?? null, Number);
  // lossless-json leaves a missing value as undefined where JSON.parse throws.
  if (parsed === undefined) throw new SyntaxError('Unexpected end of JSON input');
  return parsed;
}
