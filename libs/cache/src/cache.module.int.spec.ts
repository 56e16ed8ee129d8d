import { randomBytes } from 'node:crypto';
import { ConfigModule } from '@nestjs/config';
import { Test } from '@nestjs/testing';
import { MetricsModule } from '@analytics/observability';
import Redis from 'ioredis';
import { Registry } from 'prom-client';
import { CacheModule } from './cache.module';
import { ReadThroughCache } from './read-through';

describe('CacheModule', () => {
  it("provides the app's ReadThroughCache, configured from the environment, reporting on the app's /metrics registry", async () => {
    const app = `cache-module-it-${randomBytes(4).toString('hex')}`;
    process.env.CACHE_TTL_SECONDS = '42';
    const moduleRef = await Test.createTestingModule({
      imports: [
        ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true }),
        MetricsModule.forRoot({ app }),
        CacheModule.forRoot({ app }),
      ],
    }).compile();
    await moduleRef.init();
    try {
      const redis = moduleRef.get(Redis);
      if (redis.status !== 'ready') await new Promise((resolve) => redis.once('ready', resolve));
      const cache = moduleRef.get(ReadThroughCache);
      await cache.get('detail:1', async () => ({ id: 1 }));
      await cache.idle();
      expect(await cache.get('detail:1', async () => ({ id: 2 }))).toEqual({ id: 1 });

      const ttl = await redis.pttl(`cache:${app}:v:detail:1`);
      expect(ttl).toBeGreaterThan(40_000);
      expect(ttl).toBeLessThanOrEqual(42_000);
      const metrics = await moduleRef.get(Registry).metrics();
      expect(metrics).toContain(`cache_requests_total{cache="queries",result="hit",app="${app}"} 1`);
      expect(metrics).toContain(`cache_requests_total{cache="queries",result="miss",app="${app}"} 1`);
      await cache.invalidate('detail:1'); // leaves nothing behind in the shared Redis
    } finally {
      delete process.env.CACHE_TTL_SECONDS;
      await moduleRef.close();
    }
  });
});
