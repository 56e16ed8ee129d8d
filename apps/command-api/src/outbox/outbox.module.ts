import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { outboxConfig } from './outbox.config';
import { OutboxMetrics } from './outbox.metrics';
import { OutboxRelayService } from './outbox-relay.service';
import { OutboxWakeUp } from './outbox-wake-up';
import { ParkedEventsController } from './parked-events/parked-events.http.controller';

/** Publishes committed events from the outbox to Kafka (one active relay among all instances). */
@Module({
  imports: [ConfigModule.forFeature(outboxConfig)],
  controllers: [ParkedEventsController],
  providers: [OutboxMetrics, OutboxRelayService, OutboxWakeUp],
  exports: [OutboxWakeUp],
})
export class OutboxModule {}
