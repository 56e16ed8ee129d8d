import { Controller, Get, NotFoundException, Param, ParseUUIDPipe, Query, Header } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { problemType } from '@analytics/contracts';
import { IsIn, IsOptional, Matches } from 'class-validator';
import { DataSource } from 'typeorm';
import { toServiceProposal } from '../projections/read-model.store';
import {
  CLIENT_ID_PATTERN,
  decodeCursor,
  DEFAULT_PAGE_SIZE,
  DIGITS_PATTERN,
  encodeCursor,
  INSTANT_PATTERN,
  keyset,
  Page,
  pageOf,
  PageRequest,
  UUID_PATTERN,
} from '../shared/pagination';
import { CONSISTENCY_RESPONSE_HEADERS, MinPosition, ReadYourWrites } from '../consistency/read-your-writes';
import { ApiProblemResponses } from '@analytics/http';
import { ServiceProposalsPage, ServiceProposalView } from './service-proposal.view';
import { CacheKeys, ListNamespaces, QueryCache, JSON_CONTENT_TYPE } from '../shared/query-cache';
import { ServiceProposalRow } from './service-proposal.fold';

const STATUSES = ['draft', 'submitted', 'accepted', 'rejected', 'withdrawn'];
const SORTS = {
  createdAt: { column: 'drafted_at', type: 'timestamptz', descending: false, key: INSTANT_PATTERN },
  '-createdAt': { column: 'drafted_at', type: 'timestamptz', descending: true, key: INSTANT_PATTERN },
  total: { column: 'total_minor', type: 'bigint', descending: false, key: DIGITS_PATTERN },
  '-total': { column: 'total_minor', type: 'bigint', descending: true, key: DIGITS_PATTERN },
} as const;
type Sort = keyof typeof SORTS;

export class ListServiceProposalsRequest extends PageRequest {
  @ApiPropertyOptional()
  @IsOptional()
  @Matches(CLIENT_ID_PATTERN, { message: 'clientId must be a client slug' })
  clientId?: string;

  @ApiPropertyOptional({ enum: STATUSES })
  @IsOptional()
  @IsIn(STATUSES)
  status?: string;

  @ApiPropertyOptional({
    enum: Object.keys(SORTS),
    default: '-createdAt',
    description: 'By time drafted or by total; "-" for descending',
  })
  @IsOptional()
  @IsIn(Object.keys(SORTS))
  sort?: Sort;
}

interface ServiceProposalsPage {
  clientId?: string;
  status?: string;
  sort: Sort;
  limit: number;
  after?: { key: string; id: string };
}

const COLUMNS = `id, client_id, title, currency, status, line_items, total_minor::text AS total_minor, valid_until,
                 rejection_reason, drafted_at, submitted_at, decided_at, updated_at, version, position::text AS position`;

/** Service proposals with their lines and exact totals (minor units, strings of digits). */
@ApiTags('service-proposals')
@Controller('service-proposals')
@ReadYourWrites()
export class ServiceProposalsController {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly cache: QueryCache,
  ) {}

  @Get()
  @ApiOkResponse({ type: ServiceProposalsPage, headers: CONSISTENCY_RESPONSE_HEADERS })
  @ApiOperation({ summary: 'Service proposals, filtered, sorted by time or total; cursor-paginated' })
  async list(
    @Query() request: ListServiceProposalsRequest,
    @MinPosition() minPosition?: string,
  ): Promise<Page<ServiceProposalRow>> {
    const sortName: Sort = request.sort ?? '-createdAt';
    const after = request.cursor
      ? decodeCursor(request.cursor, sortName, { id: UUID_PATTERN, key: SORTS[sortName].key })
      : undefined;
    const spec: ServiceProposalsPage = {
      clientId: request.clientId,
      status: request.status,
      sort: sortName,
      limit: request.limit ?? DEFAULT_PAGE_SIZE,
      after,
    };
    return this.cache.list(ListNamespaces.serviceProposals, { ...spec }, minPosition, () => this.page(spec));
  }

  private async page(query: ServiceProposalsPage): Promise<Page<ServiceProposalRow>> {
    const limit = query.limit;
    const sortName = query.sort;
    const sort = SORTS[sortName];
    const params: unknown[] = [];
    const where: string[] = [];
    if (query.clientId) {
      params.push(query.clientId);
      where.push(`client_id = $${params.length}`);
    }
    if (query.status) {
      params.push(query.status);
      where.push(`status = $${params.length}`);
    }
    const after = query.after;
    const page = keyset(sort.column, 'id', [sort.type, 'uuid'], sort.descending, after, params);
    if (page.where) where.push(page.where);
    params.push(limit + 1);
    const rows = await this.db.query(
      `SELECT ${COLUMNS} FROM read_model.service_proposals
        ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ${page.orderBy} LIMIT $${params.length}`,
      params,
    );
    return pageOf(rows, limit, toServiceProposal, (row: { id: string; drafted_at: Date; total_minor: string }) =>
      encodeCursor(
        sortName,
        sort.column === 'total_minor' ? String(row.total_minor) : new Date(row.drafted_at).toISOString(),
        row.id,
      ),
    );
  }

  @Get(':id')
  @Header('Content-Type', JSON_CONTENT_TYPE)
  @ApiOkResponse({ type: ServiceProposalView, headers: CONSISTENCY_RESPONSE_HEADERS })
  @ApiProblemResponses({ 404: 'No such service proposal' })
  @ApiOperation({ summary: 'One service proposal' })
  async get(@Param('id', new ParseUUIDPipe()) id: string, @MinPosition() minPosition?: string): Promise<string> {
    const proposal = await this.cache.detailJson(CacheKeys.serviceProposal(id), minPosition, async () => {
      const [row] = await this.db.query(`SELECT ${COLUMNS} FROM read_model.service_proposals WHERE id = $1`, [id]);
      // The watermark is the row's own position: its stream is applied in order up to it.
      return row ? { value: toServiceProposal(row), position: String(row.position) } : { value: null };
    });
    if (proposal === null) {
      throw new NotFoundException({ type: problemType('not-found'), detail: `There is no service proposal ${id}` });
    }
    return proposal;
  }
}
