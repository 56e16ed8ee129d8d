import { OutboxMessageEntity, StoredEventEntity } from '@analytics/event-store';
import { SchemaOwner, TimeSeriesTableEntity } from '@analytics/persistence';
import { COMMAND_API_MIGRATIONS } from '../../../migrations/command-api';
import { ClientConfigEntity } from './client-configs/client-config.entity';
import { ConnectorProfileEntity } from './connector-profiles/connector-profile.entity';
import { IdempotencyRecordEntity } from './idempotency/idempotency-record.entity';
import { ServiceProposalEntity } from './service-proposals/service-proposal.entity';
import { MarketDataEntity } from './time-series/market-data.entity';
import { NewsArticleEntity } from './time-series/news-article.entity';
import { TelemetryEventEntity } from './time-series/telemetry-event.entity';

/** Everything the write side owns in the write database (Zone 1), and the migrations that build it. */
export const commandApiSchema: SchemaOwner = {
  name: 'command-api',
  entities: [
    StoredEventEntity,
    OutboxMessageEntity,
    IdempotencyRecordEntity,
    ClientConfigEntity,
    ConnectorProfileEntity,
    ServiceProposalEntity,
    TimeSeriesTableEntity,
    MarketDataEntity,
    NewsArticleEntity,
    TelemetryEventEntity,
  ],
  migrations: COMMAND_API_MIGRATIONS,
};
