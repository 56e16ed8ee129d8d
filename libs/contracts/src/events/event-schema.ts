import { TLiteral, TObject, TSchema, Type } from '@sinclair/typebox';

/**
 * The JSON Schema of one version of one event type: the stable type string, the schema version,
 * and the shape of `data`. The schema is the contract; the TypeScript type is derived from it
 * (`Static<typeof schema>`), so the two cannot drift apart.
 */
export type EventSchema<T extends string = string, V extends number = number, D extends TSchema = TSchema> = TObject<{
  type: TLiteral<T>;
  schemaVersion: TLiteral<V>;
  data: D;
}>;

export function eventSchema<T extends string, V extends number, D extends TSchema>(
  type: T,
  schemaVersion: V,
  data: D,
  description: string,
): EventSchema<T, V, D> {
  return Type.Object(
    { type: Type.Literal(type), schemaVersion: Type.Literal(schemaVersion), data },
    { $id: `${type}.v${schemaVersion}`, title: `${type} v${schemaVersion}`, description, additionalProperties: false },
  );
}

/** A closed object (no unknown members): every event's data is one. */
export function closedObject<P extends Record<string, TSchema>>(properties: P, description?: string) {
  return Type.Object(properties, { additionalProperties: false, description });
}

/** The events of one stream type: the current version of each, and the older ones still readable. */
export interface StreamContract {
  streamType: string;
  description: string;
  /** The versions written today, one per event type. */
  current: EventSchema[];
  /** Versions written in the past, read through upcasters. */
  legacy: EventSchema[];
}
