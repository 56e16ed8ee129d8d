import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { describeFailure, ReadinessIndicator, withTimeout } from '@analytics/observability';
import { Admin, Kafka } from 'kafkajs';

/** Ready when a broker answers a metadata request within 3 s. */
@Injectable()
export class KafkaHealthIndicator implements ReadinessIndicator, OnModuleDestroy {
  private admin?: Admin;

  constructor(
    private readonly kafka: Kafka,
    private readonly health: HealthIndicatorService,
  ) {}

  async check() {
    const indicator = this.health.check('kafka');
    try {
      const cluster = await withTimeout(this.describeCluster(), 3_000, 'Kafka');
      return indicator.up({ brokers: cluster.brokers.length, controller: cluster.controller });
    } catch (error) {
      // A broken connection is not reused: the next check starts from a fresh admin client.
      await this.disconnect();
      return indicator.down({ message: describeFailure(error) });
    }
  }

  private async describeCluster() {
    if (!this.admin) {
      this.admin = this.kafka.admin({ retry: { retries: 0 } });
      await this.admin.connect();
    }
    return this.admin.describeCluster();
  }

  private async disconnect() {
    const admin = this.admin;
    this.admin = undefined;
    await admin?.disconnect().catch(() => undefined);
  }

  async onModuleDestroy() {
    await this.disconnect();
  }
}
