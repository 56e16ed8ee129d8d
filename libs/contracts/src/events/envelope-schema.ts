import { TSchema, Type } from '@sinclair/typebox';
import { EventSchema } from './event-schema';

/**
 * JSON Schema of the Kafka message value for one event type and version: the envelope of
 * shared/DESIGN.md section 3 around that event's `data`.
 */
export function envelopeSchemaOf(event: EventSchema, streamType: string): TSchema {
  const { type, schemaVersion, data } = event.properties;
  return Type.Object(
    {
      id: Type.String({ format: 'uuid', description: 'Event id, unique; consumers dedupe on it' }),
      type,
      schemaVersion,
      streamType: Type.Literal(streamType),
      streamId: Type.String({ format: 'uuid', description: 'Also the Kafka message key' }),
      streamVersion: Type.Integer({ minimum: 1, description: 'Contiguous per stream, from 1' }),
      position: Type.String({ pattern: '^[0-9]+$', description: 'Global position in the event store' }),
      occurredAt: Type.String({ format: 'date-time' }),
      correlationId: Type.String({ minLength: 1 }),
      causationId: Type.Union([Type.String(), Type.Null()]),
      data,
      metadata: Type.Record(Type.String(), Type.Unknown()),
    },
    {
      $id: `${event.$id}.envelope`,
      title: `${event.title} (envelope)`,
      description: event.description,
      additionalProperties: false,
    },
  );
}
