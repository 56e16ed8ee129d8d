import { failureOf, pingKafka, pingPostgres, pingRedis } from '../../tools/lib/probes';

/** Where the real services of a test run are. */
export interface ServiceEndpoints {
  /** Server URL; the run creates its own databases on it. */
  postgresUrl: string;
  kafkaBrokers: string[];
  redisUrl: string;
  /** How they were found: given in the environment, started by testcontainers, or the local defaults. */
  source: 'environment' | 'testcontainers' | 'local';
}

const LOCAL: Omit<ServiceEndpoints, 'source'> = {
  postgresUrl: 'postgresql://postgres@127.0.0.1:5432/postgres',
  kafkaBrokers: ['127.0.0.1:9092'],
  redisUrl: 'redis://127.0.0.1:6379',
};

/** Started containers, stopped by the global teardown. */
export interface RunningContainers {
  stop(): Promise<void>;
}

/**
 * Finds the services: URLs from the environment when given (DATABASE_URL, KAFKA_BROKERS,
 * REDIS_URL); otherwise containers when a Docker engine answers; otherwise the local services
 * (the development machines run Postgres and Redis, and `npm test` starts Kafka).
 */
export async function resolveServices(
  env: NodeJS.ProcessEnv,
): Promise<{ endpoints: ServiceEndpoints; containers?: RunningContainers }> {
  if (env.DATABASE_URL || env.KAFKA_BROKERS || env.REDIS_URL) {
    return {
      endpoints: {
        postgresUrl: env.DATABASE_URL ?? LOCAL.postgresUrl,
        kafkaBrokers: env.KAFKA_BROKERS?.split(',') ?? LOCAL.kafkaBrokers,
        redisUrl: env.REDIS_URL ?? LOCAL.redisUrl,
        source: 'environment',
      },
    };
  }
  if (await dockerEngineAnswers()) {
    return startContainers();
  }
  return { endpoints: { ...LOCAL, source: 'local' } };
}

async function dockerEngineAnswers(): Promise<boolean> {
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    await getContainerRuntimeClient();
    return true;
  } catch {
    return false;
  }
}

async function startContainers(): Promise<{ endpoints: ServiceEndpoints; containers: RunningContainers }> {
  const { GenericContainer, Wait } = await import('testcontainers');
  const [postgres, redis, kafka] = await Promise.all([
    new GenericContainer('timescale/timescaledb:latest-pg16')
      .withEnvironment({ POSTGRES_HOST_AUTH_METHOD: 'trust' })
      .withExposedPorts(5432)
      .withWaitStrategy(Wait.forLogMessage(/database system is ready to accept connections/, 2))
      .start(),
    new GenericContainer('redis:7-alpine').withExposedPorts(6379).start(),
    // Fixed host port: the broker must advertise an address the host can reach.
    new GenericContainer('apache/kafka:3.9.1')
      .withExposedPorts({ container: 9092, host: 29092 })
      .withEnvironment({
        KAFKA_ADVERTISED_LISTENERS: 'PLAINTEXT://127.0.0.1:29092,CONTROLLER://localhost:9093',
        KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'false',
      })
      .withWaitStrategy(Wait.forLogMessage(/Kafka Server started/))
      .start(),
  ]);
  return {
    endpoints: {
      postgresUrl: `postgresql://postgres@${postgres.getHost()}:${postgres.getMappedPort(5432)}/postgres`,
      kafkaBrokers: [`${kafka.getHost()}:29092`],
      redisUrl: `redis://${redis.getHost()}:${redis.getMappedPort(6379)}`,
      source: 'testcontainers',
    },
    containers: {
      stop: async () => {
        await Promise.all([postgres.stop(), redis.stop(), kafka.stop()]);
      },
    },
  };
}

/**
 * Checks every service answers, and fails with one message naming each that does not and how
 * to start it. Tests never skip themselves for a missing service.
 */
export async function assertServicesAnswer(endpoints: ServiceEndpoints): Promise<void> {
  const problems = (
    await Promise.all([
      probe(`Postgres at ${endpoints.postgresUrl}`, "start the machine's PostgreSQL service, or set DATABASE_URL", () =>
        pingPostgres(endpoints.postgresUrl),
      ),
      probe(
        `Kafka at ${endpoints.kafkaBrokers.join(',')}`,
        'run `npm run kafka:start` (npm test starts it for you)',
        () => pingKafka(endpoints.kafkaBrokers),
      ),
      probe(`Redis at ${endpoints.redisUrl}`, 'start redis-server, or set REDIS_URL', () =>
        pingRedis(endpoints.redisUrl),
      ),
    ])
  ).filter((problem): problem is string => problem !== undefined);
  if (problems.length > 0) {
    throw new Error(`The tests need real services, and some did not answer:\n  - ${problems.join('\n  - ')}`);
  }
}

async function probe(what: string, hint: string, ping: () => Promise<void>): Promise<string | undefined> {
  const failure = await failureOf(ping);
  return failure === undefined ? undefined : `${what}: ${failure} (${hint})`;
}
