import { parseJson } from '@analytics/json';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { RequestValidationException } from '@analytics/http';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 200;

/** `limit` and `cursor`, shared by every list query. */
export class PageRequest {
  @ApiPropertyOptional({ minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  limit?: number;

  @ApiPropertyOptional({ description: 'Opaque: the `nextCursor` of the previous page (same filters and sort)' })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  cursor?: string;
}

export interface Page<T> {
  items: T[];
  /** Pass as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

/** Where a page ended: the sort key's value and the id of the last item, bound to the sort order. */
interface CursorBody {
  s: string;
  k: string;
  id: string;
}

export function encodeCursor(sort: string, key: string, id: string): string {
  return Buffer.from(JSON.stringify({ s: sort, k: key, id } satisfies CursorBody)).toString('base64url');
}

/** Reads a cursor made by encodeCursor for the same sort; anything else is a 400 on `cursor`. */
export function decodeCursor(
  cursor: string,
  sort: string,
  /** What the id and the key must look like (they go into SQL as typed parameters). */
  shape: { id: RegExp; key: RegExp },
): { key: string; id: string } {
  try {
    const body = parseJson(Buffer.from(cursor, 'base64url').toString('utf8')) as CursorBody;
    if (
      typeof body === 'object' &&
      body !== null &&
      body.s === sort &&
      typeof body.id === 'string' &&
      shape.id.test(body.id) &&
      typeof body.k === 'string' &&
      shape.key.test(body.k)
    ) {
      return { key: body.k, id: body.id };
    }
  } catch {
    // fall through
  }
  throw new RequestValidationException([
    { field: 'cursor', message: 'cursor is not a cursor of this list (with this sort order)' },
  ]);
}

/**
 * Keyset pagination on (sort column, tiebreak column). Returns the WHERE fragment (or '') and
 * the ORDER BY, with parameters numbered from `next`.
 */
export function keyset(
  column: string,
  tiebreak: string,
  /** SQL types of the two columns, e.g. ['bigint', 'uuid'] (cursor values arrive as text). */
  [columnType, tiebreakType]: [string, string],
  descending: boolean,
  after: { key: unknown; id: string } | undefined,
  params: unknown[],
): { where: string; orderBy: string } {
  const direction = descending ? 'DESC' : 'ASC';
  const orderBy = `ORDER BY ${column} ${direction}, ${tiebreak} ${direction}`;
  if (!after) return { where: '', orderBy };
  params.push(after.key, after.id);
  const where = `(${column}, ${tiebreak}) ${descending ? '<' : '>'} ($${params.length - 1}::${columnType}, $${params.length}::${tiebreakType})`;
  return { where, orderBy };
}

/** Takes `limit` rows of `limit + 1` fetched; makes the cursor from the last one kept. */
export function pageOf<R, T>(rows: R[], limit: number, toItem: (row: R) => T, cursorOf: (row: R) => string): Page<T> {
  const kept = rows.slice(0, limit);
  return {
    items: kept.map(toItem),
    nextCursor: rows.length > limit && kept.length > 0 ? cursorOf(kept[kept.length - 1]) : null,
  };
}

export const CLIENT_ID_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;

export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const DIGITS_PATTERN = /^[0-9]{1,20}$/;
export const INSTANT_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/;
export const ANY_TEXT = /^[\s\S]{0,200}$/;
