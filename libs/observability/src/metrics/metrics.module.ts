import { DynamicModule, Global, Module } from '@nestjs/common';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { MetricsController } from './metrics.controller';

export interface MetricsModuleOptions {
  /** Added as the `app` label on every metric, so both apps can share one Prometheus job. */
  app: string;
}

/**
 * A prom-client Registry per app (injectable as `Registry`), with Node.js process metrics,
 * served at `GET /metrics`. Features register their own metrics on the injected registry.
 */
@Global()
@Module({})
export class MetricsModule {
  static forRoot(options: MetricsModuleOptions): DynamicModule {
    return {
      module: MetricsModule,
      controllers: [MetricsController],
      providers: [
        {
          provide: Registry,
          useFactory: () => {
            const registry = new Registry();
            registry.setDefaultLabels({ app: options.app });
            collectDefaultMetrics({ register: registry });
            return registry;
          },
        },
      ],
      exports: [Registry],
    };
  }
}
