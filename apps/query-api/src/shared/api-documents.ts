import { Type } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';

/** The OpenAPI schema of a `Page<T>`: `{ items: T[], nextCursor }`, one named schema per item type. */
export function PageDocument<T>(item: Type<T>, name: string) {
  class PageOfItems {
    @ApiProperty({ type: [item] })
    items!: T[];

    @ApiProperty({
      type: 'string',
      nullable: true,
      description: 'Pass as `cursor` for the next page; null on the last',
    })
    nextCursor!: string | null;
  }
  Object.defineProperty(PageOfItems, 'name', { value: name });
  return PageOfItems;
}

/** `{ [name]: JSON value }`: settings, connector config. */
export const JSON_OBJECT = { type: 'object', additionalProperties: true } as const;
