import { ConflictException, Controller, Get, HttpCode, NotFoundException, Param, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { problemType } from '@analytics/contracts';
import { ApiProblemResponses, RequestValidationException } from '@analytics/http';
import { DeadLetterRetryView, DeadLetterSkipView, DeadLettersPage } from './dead-letter.view';
import { IsIn, IsOptional } from 'class-validator';
import { DataSource } from 'typeorm';
import {
  DeadLetterNotFoundError,
  DeadLetterNotRetriableError,
  ProjectionEngine,
} from '../projections/projection-engine';
import {
  decodeCursor,
  DEFAULT_PAGE_SIZE,
  DIGITS_PATTERN,
  encodeCursor,
  keyset,
  pageOf,
  PageRequest,
} from '../shared/pagination';

export class ListDeadLettersRequest extends PageRequest {
  @ApiPropertyOptional({ enum: ['open', 'retried', 'skipped'], description: 'Default: every status' })
  @IsOptional()
  @IsIn(['open', 'retried', 'skipped'])
  status?: string;
}

/* eslint-disable @typescript-eslint/no-explicit-any */
function toDeadLetter(row: any) {
  return {
    id: row.id,
    status: row.status,
    reason: row.reason,
    detail: row.detail,
    eventId: row.event_id,
    eventType: row.event_type,
    streamType: row.stream_type,
    streamId: row.stream_id,
    streamVersion: row.stream_version,
    topic: row.topic,
    partition: row.partition,
    offset: row.offset,
    attempts: row.attempts,
    rawBytes: row.raw_bytes,
    rawSha256: row.raw_sha256,
    rawExcerpt: row.raw_excerpt,
    hasEnvelope: row.has_envelope,
    waitingEvents: row.waiting,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    resolvedAt: row.resolved_at,
  };
}

const ID = /^[1-9][0-9]{0,18}$/;

const DEAD_LETTER_PROBLEMS = {
  400: 'The id is no dead letter id',
  404: 'No such dead letter',
  409: 'It is no longer open (or, to retry, has no parsed event)',
};

/** Operators' view of the events the projections could not apply; retry or skip them. */
@ApiTags('admin')
@Controller('admin/dead-letters')
export class DeadLettersController {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly engine: ProjectionEngine,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Dead letters, oldest first, with how many events of their stream wait behind them' })
  @ApiOkResponse({ type: DeadLettersPage })
  @ApiProblemResponses({ 400: 'Invalid query parameter (`errors` names it)' })
  async list(@Query() query: ListDeadLettersRequest) {
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const params: unknown[] = [];
    const where: string[] = [];
    if (query.status) {
      params.push(query.status);
      where.push(`d.status = $${params.length}`);
    }
    const after = query.cursor
      ? decodeCursor(query.cursor, 'id', { id: DIGITS_PATTERN, key: DIGITS_PATTERN })
      : undefined;
    const page = keyset('d.id', 'd.id', ['bigint', 'bigint'], false, after, params);
    if (page.where) where.push(page.where);
    params.push(limit + 1);
    const rows = await this.db.query(
      `SELECT d.id::text AS id, d.status, d.reason, d.detail, d.event_id, d.event_type, d.stream_type, d.stream_id,
              d.stream_version, d.topic, d.partition, d."offset"::text AS "offset", d.attempts, d.raw_bytes,
              d.raw_sha256, left(d.raw_excerpt, 1000) AS raw_excerpt, d.envelope IS NOT NULL AS has_envelope,
              d.created_at, d.updated_at, d.resolved_at,
              (SELECT count(*)::int FROM read_model.pending_events p
                WHERE p.stream_type = d.stream_type AND p.stream_id = d.stream_id) AS waiting
         FROM read_model.dead_letters d
        ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY d.id LIMIT $${params.length}`,
      params,
    );
    return pageOf(rows, limit, toDeadLetter, (row: { id: string }) => encodeCursor('id', row.id, row.id));
  }

  @Post(':id/retry')
  @HttpCode(200)
  @ApiOperation({ summary: 'Apply the event again; on success the events waiting behind it follow' })
  @ApiOkResponse({ type: DeadLetterRetryView })
  @ApiProblemResponses(DEAD_LETTER_PROBLEMS)
  retry(@Param('id') id: string) {
    return this.run(id, () => this.engine.retryDeadLetter(id));
  }

  @Post(':id/skip')
  @HttpCode(200)
  @ApiOperation({ summary: 'Give up on the event; the events of its stream waiting behind it are applied' })
  @ApiOkResponse({ type: DeadLetterSkipView })
  @ApiProblemResponses(DEAD_LETTER_PROBLEMS)
  skip(@Param('id') id: string) {
    return this.run(id, () => this.engine.skipDeadLetter(id));
  }

  private async run<T>(id: string, action: () => Promise<T>): Promise<T & { id: string }> {
    if (!ID.test(id)) throw new RequestValidationException([{ field: 'id', message: 'id must be a dead letter id' }]);
    try {
      return { id, ...(await action()) };
    } catch (error) {
      if (error instanceof DeadLetterNotFoundError) {
        throw new NotFoundException({ type: problemType('not-found'), detail: error.message });
      }
      if (error instanceof DeadLetterNotRetriableError) {
        throw new ConflictException({ type: problemType('dead-letter-not-open'), detail: error.message });
      }
      throw error;
    }
  }
}
