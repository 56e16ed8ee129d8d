import { DynamicModule, Module, Type } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { DEGRADABLE_INDICATORS, HealthController, READINESS_INDICATORS } from './health.controller';
import { ReadinessIndicator } from './readiness-indicator';

export interface HealthModuleOptions {
  /** Modules that provide (and export) the indicators below. */
  imports: DynamicModule['imports'];
  /** Checked by `GET /health/ready`, in this order: any one down makes the app unready (503). */
  readiness: Type<ReadinessIndicator>[];
  /**
   * Checked and reported too, but the app keeps serving without them, so they never make it
   * unready: when one is down it is listed under `degraded` (e.g. Kafka for command-api, whose
   * commands go to the outbox and are published when the broker is back).
   */
  degradable?: Type<ReadinessIndicator>[];
}

/** `GET /health/live` and `GET /health/ready` (Terminus), for orchestrators and load balancers. */
@Module({})
export class HealthModule {
  static forRoot(options: HealthModuleOptions): DynamicModule {
    return {
      module: HealthModule,
      imports: [TerminusModule.forRoot({ logger: false }), ...(options.imports ?? [])],
      controllers: [HealthController],
      providers: [
        {
          provide: READINESS_INDICATORS,
          inject: options.readiness,
          useFactory: (...indicators: ReadinessIndicator[]) => indicators,
        },
        {
          provide: DEGRADABLE_INDICATORS,
          inject: options.degradable ?? [],
          useFactory: (...indicators: ReadinessIndicator[]) => indicators,
        },
      ],
    };
  }
}
