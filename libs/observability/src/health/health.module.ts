import { DynamicModule, Module, Type } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { HealthController, READINESS_INDICATORS } from './health.controller';
import { ReadinessIndicator } from './readiness-indicator';

export interface HealthModuleOptions {
  /** Modules that provide (and export) the indicators below. */
  imports: DynamicModule['imports'];
  /** Checked by `GET /health/ready`, in this order. */
  readiness: Type<ReadinessIndicator>[];
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
      ],
    };
  }
}
