import { Controller, Get, NotFoundException, Param, Query, Header } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { problemType } from '@analytics/contracts';
import { ApiProblemResponses, RequestValidationException } from '@analytics/http';
import { IsIn, IsOptional } from 'class-validator';
import { DataSource } from 'typeorm';
import {
  ANY_TEXT,
  CLIENT_ID_PATTERN,
  decodeCursor,
  DEFAULT_PAGE_SIZE,
  encodeCursor,
  keyset,
  Page,
  pageOf,
  PageRequest,
} from '../shared/pagination';
import { CONSISTENCY_RESPONSE_HEADERS, MinPosition, ReadYourWrites } from '../consistency/read-your-writes';
import { ClientOverviewsPage, ClientOverviewView } from './client-overview.view';
import { CacheKeys, ListNamespaces, QueryCache, JSON_CONTENT_TYPE } from '../shared/query-cache';
import { ClientOverviewRow } from './client-overview.fold';

export class ListClientsRequest extends PageRequest {
  @ApiPropertyOptional({ enum: ['active', 'archived'] })
  @IsOptional()
  @IsIn(['active', 'archived'])
  status?: string;
}

const COLUMNS = `client_id, client_config_id, display_name, timezone, currency, status, settings, feature_flags,
                 config_version, connectors, proposals, accepted_total_minor::text AS accepted_total_minor,
                 last_activity_at, position::text AS position`;

/* eslint-disable @typescript-eslint/no-explicit-any */
export function toClientOverview(row: any): ClientOverviewRow {
  return {
    clientId: row.client_id,
    clientConfigId: row.client_config_id,
    displayName: row.display_name,
    timezone: row.timezone,
    currency: row.currency,
    status: row.status,
    settings: row.settings,
    featureFlags: row.feature_flags,
    configVersion: row.config_version,
    connectors: row.connectors,
    proposals: row.proposals,
    acceptedTotalMinor: row.accepted_total_minor,
    lastActivityAt: row.last_activity_at === null ? null : new Date(row.last_activity_at).toISOString(),
    position: row.position,
  };
}

/** One row per client: configuration, connector and proposal counts, accepted value, last activity. */
@ApiTags('clients')
@Controller('clients')
@ReadYourWrites()
export class ClientsController {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly cache: QueryCache,
  ) {}

  @Get()
  @ApiOkResponse({ type: ClientOverviewsPage, headers: CONSISTENCY_RESPONSE_HEADERS })
  @ApiOperation({ summary: 'Client overviews by client id; cursor-paginated' })
  async list(
    @Query() query: ListClientsRequest,
    @MinPosition() minPosition?: string,
  ): Promise<Page<ClientOverviewRow>> {
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const after = query.cursor
      ? decodeCursor(query.cursor, 'clientId', { id: CLIENT_ID_PATTERN, key: ANY_TEXT })
      : undefined;
    const spec = { status: query.status, limit, after };
    return this.cache.list(ListNamespaces.clients, spec, minPosition, () => this.page(spec));
  }

  private async page({
    status,
    limit,
    after,
  }: {
    status?: string;
    limit: number;
    after?: { key: string; id: string };
  }): Promise<Page<ClientOverviewRow>> {
    const params: unknown[] = [];
    const where: string[] = [];
    if (status) {
      params.push(status);
      where.push(`status = $${params.length}`);
    }
    const page = keyset('client_id', 'client_id', ['text', 'text'], false, after, params);
    if (page.where) where.push(page.where);
    params.push(limit + 1);
    const rows = await this.db.query(
      `SELECT ${COLUMNS} FROM read_model.client_overviews
        ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY client_id LIMIT $${params.length}`,
      params,
    );
    return pageOf(rows, limit, toClientOverview, (row: { client_id: string }) =>
      encodeCursor('clientId', row.client_id, row.client_id),
    );
  }

  @Get(':clientId/overview')
  @Header('Content-Type', JSON_CONTENT_TYPE)
  @ApiOkResponse({ type: ClientOverviewView, headers: CONSISTENCY_RESPONSE_HEADERS })
  @ApiProblemResponses({ 404: 'No such client' })
  @ApiOperation({ summary: "One client's overview" })
  async overview(@Param('clientId') clientId: string, @MinPosition() minPosition?: string): Promise<string> {
    if (!CLIENT_ID_PATTERN.test(clientId)) {
      throw new RequestValidationException([{ field: 'clientId', message: 'clientId must be a client slug' }]);
    }
    // No watermark: an overview folds many streams applied out of order (see QueryCache).
    const overview = await this.cache.detailJson(CacheKeys.clientOverview(clientId), minPosition, async () => {
      const [row] = await this.db.query(`SELECT ${COLUMNS} FROM read_model.client_overviews WHERE client_id = $1`, [
        clientId,
      ]);
      return { value: row ? toClientOverview(row) : null };
    });
    if (overview === null) {
      throw new NotFoundException({ type: problemType('not-found'), detail: `There is no client ${clientId}` });
    }
    return overview;
  }
}
