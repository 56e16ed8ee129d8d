import { ApiProperty } from '@nestjs/swagger';

/**
 * The event envelope (contract) as the HTTP endpoints show it. `data` is per event type: its JSON
 * Schema is in the AsyncAPI document (`GET /asyncapi.json`).
 */
export class EventEnvelopeDocument {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ example: 'connector-profile.registered' })
  type!: string;

  @ApiProperty({ type: 'integer', minimum: 1 })
  schemaVersion!: number;

  @ApiProperty()
  streamType!: string;

  @ApiProperty({ format: 'uuid' })
  streamId!: string;

  @ApiProperty({ type: 'integer', minimum: 1 })
  streamVersion!: number;

  @ApiProperty({ pattern: '^[0-9]+$' })
  position!: string;

  @ApiProperty({ format: 'date-time' })
  occurredAt!: string;

  @ApiProperty()
  correlationId!: string;

  @ApiProperty({ type: 'string', nullable: true, description: 'The Idempotency-Key of the command, if any' })
  causationId!: string | null;

  @ApiProperty({ type: 'object', additionalProperties: true })
  data!: Record<string, unknown>;

  @ApiProperty({ type: 'object', additionalProperties: true })
  metadata!: Record<string, unknown>;
}

export class StreamHistoryDocument {
  @ApiProperty()
  streamType!: string;

  @ApiProperty({ format: 'uuid' })
  streamId!: string;

  @ApiProperty({ type: 'integer', minimum: 1 })
  version!: number;

  @ApiProperty({ type: [EventEnvelopeDocument] })
  events!: EventEnvelopeDocument[];
}

export class EventFeedPageDocument {
  @ApiProperty({ type: [EventEnvelopeDocument] })
  events!: EventEnvelopeDocument[];

  @ApiProperty({ pattern: '^[0-9]+$', description: 'Pass as `after` to read on' })
  next!: string;

  @ApiProperty({ pattern: '^[0-9]+$', description: "The highest committed position ('0' when empty)" })
  head!: string;
}
