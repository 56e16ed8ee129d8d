import { Controller, Get, NotFoundException, Param, ParseUUIDPipe, Query, Header } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { CONNECTOR_KINDS, CONNECTOR_TAG_PATTERN, problemType } from '@analytics/contracts';
import { IsIn, IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { DataSource } from 'typeorm';
import { toConnectorProfile } from '../projections/read-model.store';
import {
  CLIENT_ID_PATTERN,
  decodeCursor,
  DEFAULT_PAGE_SIZE,
  encodeCursor,
  keyset,
  Page,
  pageOf,
  PageRequest,
  ANY_TEXT,
  UUID_PATTERN,
} from '../shared/pagination';
import { CONSISTENCY_RESPONSE_HEADERS, MinPosition, ReadYourWrites } from '../consistency/read-your-writes';
import { ApiProblemResponses } from '@analytics/http';
import { ConnectorProfilesPage, ConnectorProfileView } from './connector-profile.view';
import { CacheKeys, ListNamespaces, QueryCache, JSON_CONTENT_TYPE } from '../shared/query-cache';
import { ConnectorProfileRow } from './connector-profile.fold';

export class ListConnectorProfilesRequest extends PageRequest {
  @ApiPropertyOptional()
  @IsOptional()
  @Matches(CLIENT_ID_PATTERN, { message: 'clientId must be a client slug' })
  clientId?: string;

  @ApiPropertyOptional({ enum: CONNECTOR_KINDS })
  @IsOptional()
  @IsIn(CONNECTOR_KINDS)
  kind?: string;

  @ApiPropertyOptional({ enum: ['active', 'disabled', 'archived'] })
  @IsOptional()
  @IsIn(['active', 'disabled', 'archived'])
  status?: string;

  @ApiPropertyOptional({ description: 'Only profiles with this tag' })
  @IsOptional()
  @Matches(new RegExp(CONNECTOR_TAG_PATTERN), { message: 'tag must be a lower-case slug' })
  tag?: string;

  @ApiPropertyOptional({ description: 'Only profiles whose name starts with this (case-sensitive)' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  namePrefix?: string;
}

interface ConnectorProfilesPage {
  clientId?: string;
  kind?: string;
  status?: string;
  tag?: string;
  namePrefix?: string;
  limit: number;
  after?: { key: string; id: string };
}

const COLUMNS = `id, client_id, name, kind, status, config, tags, secret_names, registered_at, updated_at, version,
                 position::text AS position`;

/** Connector profiles as queries see them: no secrets, only the names of the secrets. */
@ApiTags('connector-profiles')
@Controller('connector-profiles')
@ReadYourWrites()
export class ConnectorProfilesController {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly cache: QueryCache,
  ) {}

  @Get()
  @ApiOkResponse({ type: ConnectorProfilesPage, headers: CONSISTENCY_RESPONSE_HEADERS })
  @ApiOperation({ summary: 'Connector profiles, by name, filtered; cursor-paginated' })
  async list(
    @Query() request: ListConnectorProfilesRequest,
    @MinPosition() minPosition?: string,
  ): Promise<Page<ConnectorProfileRow>> {
    const after = request.cursor
      ? decodeCursor(request.cursor, 'name', { id: UUID_PATTERN, key: ANY_TEXT })
      : undefined;
    const spec: ConnectorProfilesPage = {
      clientId: request.clientId,
      kind: request.kind,
      status: request.status,
      tag: request.tag,
      namePrefix: request.namePrefix,
      limit: request.limit ?? DEFAULT_PAGE_SIZE,
      after,
    };
    return this.cache.list(ListNamespaces.connectorProfiles, { ...spec }, minPosition, () => this.page(spec));
  }

  private async page(query: ConnectorProfilesPage): Promise<Page<ConnectorProfileRow>> {
    const limit = query.limit;
    const params: unknown[] = [];
    const where: string[] = [];
    const filter = (sql: (n: number) => string, value: unknown) => {
      params.push(value);
      where.push(sql(params.length));
    };
    if (query.clientId) filter((n) => `client_id = $${n}`, query.clientId);
    if (query.kind) filter((n) => `kind = $${n}`, query.kind);
    if (query.status) filter((n) => `status = $${n}`, query.status);
    if (query.tag) filter((n) => `tags @> ARRAY[$${n}]::text[]`, query.tag);
    if (query.namePrefix) filter((n) => `starts_with(name, $${n})`, query.namePrefix);
    const after = query.after;
    const page = keyset('name', 'id', ['text', 'uuid'], false, after && { key: after.key, id: after.id }, params);
    if (page.where) where.push(page.where);
    params.push(limit + 1);
    const rows = await this.db.query(
      `SELECT ${COLUMNS} FROM read_model.connector_profiles
        ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ${page.orderBy} LIMIT $${params.length}`,
      params,
    );
    return pageOf(rows, limit, toConnectorProfile, (row: { name: string; id: string }) =>
      encodeCursor('name', row.name, row.id),
    );
  }

  @Get(':id')
  @Header('Content-Type', JSON_CONTENT_TYPE)
  @ApiOkResponse({ type: ConnectorProfileView, headers: CONSISTENCY_RESPONSE_HEADERS })
  @ApiProblemResponses({ 404: 'No such connector profile' })
  @ApiOperation({ summary: 'One connector profile' })
  async get(@Param('id', new ParseUUIDPipe()) id: string, @MinPosition() minPosition?: string): Promise<string> {
    const profile = await this.cache.detailJson(CacheKeys.connectorProfile(id), minPosition, async () => {
      const [row] = await this.db.query(`SELECT ${COLUMNS} FROM read_model.connector_profiles WHERE id = $1`, [id]);
      // The watermark is the row's own position: its stream is applied in order up to it.
      return row ? { value: toConnectorProfile(row), position: String(row.position) } : { value: null };
    });
    if (profile === null) {
      throw new NotFoundException({ type: problemType('not-found'), detail: `There is no connector profile ${id}` });
    }
    return profile;
  }
}
