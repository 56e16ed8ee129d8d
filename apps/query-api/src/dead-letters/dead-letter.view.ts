import { ApiProperty } from '@nestjs/swagger';
import { PageDocument } from '../shared/api-documents';

const NULLABLE_TEXT = { type: 'string', nullable: true } as const;
const NULLABLE_INTEGER = { type: 'integer', nullable: true } as const;

/** A message the projections could not apply, with what is known of it (little when it is not JSON). */
export class DeadLetterView {
  @ApiProperty({ pattern: '^[0-9]+$' })
  id!: string;

  @ApiProperty({ enum: ['open', 'retried', 'skipped'] })
  status!: string;

  @ApiProperty({ description: 'e.g. not-json, unknown-type, schema-mismatch, projection-error' })
  reason!: string;

  @ApiProperty()
  detail!: string;

  @ApiProperty({ ...NULLABLE_TEXT, format: 'uuid' })
  eventId!: string | null;

  @ApiProperty(NULLABLE_TEXT)
  eventType!: string | null;

  @ApiProperty(NULLABLE_TEXT)
  streamType!: string | null;

  @ApiProperty(NULLABLE_TEXT)
  streamId!: string | null;

  @ApiProperty(NULLABLE_INTEGER)
  streamVersion!: number | null;

  @ApiProperty(NULLABLE_TEXT)
  topic!: string | null;

  @ApiProperty(NULLABLE_INTEGER)
  partition!: number | null;

  @ApiProperty({ ...NULLABLE_TEXT, pattern: '^[0-9]+$' })
  offset!: string | null;

  @ApiProperty({ type: 'integer', minimum: 1 })
  attempts!: number;

  @ApiProperty({ type: 'integer', minimum: 0 })
  rawBytes!: number;

  @ApiProperty(NULLABLE_TEXT)
  rawSha256!: string | null;

  @ApiProperty({ ...NULLABLE_TEXT, description: 'The first 1000 characters of the message' })
  rawExcerpt!: string | null;

  @ApiProperty({ description: 'Whether the message parsed as an envelope (only then can it be retried)' })
  hasEnvelope!: boolean;

  @ApiProperty({ type: 'integer', minimum: 0, description: 'Events of its stream waiting behind it' })
  waitingEvents!: number;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt!: string;

  @ApiProperty({ type: 'string', format: 'date-time', nullable: true })
  resolvedAt!: string | null;
}

export const DeadLettersPage = PageDocument(DeadLetterView, 'DeadLettersPage');

export class DeadLetterRetryView {
  @ApiProperty({ pattern: '^[0-9]+$' })
  id!: string;

  @ApiProperty({ enum: ['open', 'retried'], description: 'open: it failed again (one more attempt)' })
  status!: string;

  @ApiProperty({ enum: ['applied', 'duplicate', 'stale', 'pending', 'checkpointed', 'failed'] })
  outcome!: string;

  @ApiProperty({ required: false, description: 'Why it failed again' })
  detail?: string;
}

export class DeadLetterSkipView {
  @ApiProperty({ pattern: '^[0-9]+$' })
  id!: string;

  @ApiProperty({ enum: ['skipped'] })
  status!: string;

  @ApiProperty({ type: 'integer', minimum: 0, description: 'Events of its stream applied now that it is skipped' })
  released!: number;
}
