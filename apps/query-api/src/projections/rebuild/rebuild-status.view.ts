import { ApiExtraModels, ApiProperty, getSchemaPath } from '@nestjs/swagger';

export class RebuildResultView {
  @ApiProperty()
  set!: string;

  @ApiProperty({ type: 'integer', minimum: 0 })
  events!: number;

  @ApiProperty()
  seconds!: number;

  @ApiProperty({ description: 'Events applied per second over the replay' })
  rate!: number;

  @ApiProperty({ description: 'How long the live projections were paused by the switch' })
  pauseMs!: number;

  @ApiProperty({ type: 'integer', minimum: 1 })
  switchAttempts!: number;

  @ApiProperty({ required: false, description: 'The replaced schema, when kept' })
  previousSchema?: string;

  @ApiProperty()
  checksum!: string;

  @ApiProperty({ required: false })
  cacheInvalidated?: boolean;
}

/** A rebuild's progress, and its result or error once it ended. */
@ApiExtraModels(RebuildResultView)
export class RebuildStatusView {
  @ApiProperty()
  set!: string;

  @ApiProperty({ enum: ['preparing', 'replaying', 'switching', 'cleaning-up', 'done', 'failed'] })
  phase!: string;

  @ApiProperty({ type: 'integer', minimum: 0 })
  events!: number;

  @ApiProperty({ pattern: '^[0-9]+$' })
  position!: string;

  @ApiProperty({ type: 'string', pattern: '^[0-9]+$', nullable: true })
  head!: string | null;

  @ApiProperty({ type: 'number', minimum: 0, nullable: true })
  fraction!: number | null;

  @ApiProperty({ type: 'integer', minimum: 0 })
  eventsPerSecond!: number;

  @ApiProperty({ type: 'integer', nullable: true })
  etaSeconds!: number | null;

  @ApiProperty({ format: 'date-time' })
  startedAt!: string;

  // Not `nullable` beside the reference: in OpenAPI 3.0 that does not allow null (only next to `type`).
  @ApiProperty({
    description: 'Once the rebuild is done; null before',
    oneOf: [{ $ref: getSchemaPath(RebuildResultView) }, { type: 'object', nullable: true, enum: [null] }],
  })
  result!: RebuildResultView | null;

  @ApiProperty({ type: 'string', nullable: true })
  error!: string | null;
}
