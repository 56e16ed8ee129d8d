import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { retentionConfig } from './retention.config';
import { RetentionService } from './retention.service';

/** Keeps the idempotency records and the published outbox rows bounded. */
@Module({
  imports: [ConfigModule.forFeature(retentionConfig)],
  providers: [RetentionService],
})
export class RetentionModule {}
