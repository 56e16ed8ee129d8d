import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Loaded, ReadThroughCache } from '@analytics/cache';
import { DataSource } from 'typeorm';
import { laterOf } from './instants';

/**
 * Cache keys and list namespaces of the queries. Details have one key per row; every page of a
 * listing (any filters, sort, cursor, limit) is a key in the listing's namespace, so a change of
 * any row of that type drops all its pages with one namespace invalidation.
 */
export const CacheKeys = {
  clientOverview: (clientId: string) => `client-overview:${clientId}`,
  connectorProfile: (id: string) => `connector-profile:${id.toLowerCase()}`,
  serviceProposal: (id: string) => `service-proposal:${id.toLowerCase()}`,
};

export const ListNamespaces = {
  clients: 'clients',
  connectorProfiles: 'connector-profiles',
  serviceProposals: 'service-proposals',
} as const;
export type ListNamespace = (typeof ListNamespaces)[keyof typeof ListNamespaces];

/**
 * The namespace every detail key belongs to. A detail is invalidated by its own key on each change;
 * the namespace is only invalidated to drop EVERYTHING at once (`invalidateEverything`, after a
 * projection rebuild swapped the read-model tables).
 */
export const DETAILS_NAMESPACE = 'details';

/** What Fastify answers a serialized object with; details answered as JSON text (`detailJson`) say it too. */
export const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

/** The key of one page: the listing plus a digest of its validated, defaulted parameters. */
export function listKey(namespace: ListNamespace, params: Record<string, unknown>): string {
  const canonical = JSON.stringify(
    Object.keys(params)
      .sort()
      .filter((name) => params[name] !== undefined)
      .map((name) => [name, params[name]]),
  );
  return `${namespace}:list:${createHash('sha256').update(canonical).digest('base64url')}`;
}

/**
 * What one projection transaction changed, collected while it runs and acted on after it COMMITS:
 * the cache keys and namespaces to invalidate, and the positions it applied (for read-your-writes).
 */
export class ProjectionChanges {
  readonly keys = new Set<string>();
  readonly namespaces = new Set<string>();
  readonly positions: string[] = [];
  /** The latest occurredAt of the events applied (ISO-8601), if any. */
  latestOccurredAt?: string;

  /** A row of `streamType` belonging to `clientId` changed (its client's overview is recomputed too). */
  changed(streamType: string, streamId: string, clientId: string): void {
    switch (streamType) {
      case 'connector-profile':
        this.keys.add(CacheKeys.connectorProfile(streamId));
        this.namespaces.add(ListNamespaces.connectorProfiles);
        break;
      case 'service-proposal':
        this.keys.add(CacheKeys.serviceProposal(streamId));
        this.namespaces.add(ListNamespaces.serviceProposals);
        break;
    }
    this.overview(clientId);
  }

  /** A client's overview was recomputed. */
  overview(clientId: string): void {
    this.keys.add(CacheKeys.clientOverview(clientId));
    this.namespaces.add(ListNamespaces.clients);
  }

  applied(position: string, occurredAt: string): void {
    this.positions.push(position);
    this.latestOccurredAt = laterOf(this.latestOccurredAt ?? null, occurredAt) ?? undefined;
  }

  get empty(): boolean {
    return this.keys.size === 0 && this.namespaces.size === 0 && this.positions.length === 0;
  }
}

/**
 * The queries' cache: Redis cache-aside (ReadThroughCache: generation tokens against stale
 * write-backs, single flight, bounded Redis calls with a circuit breaker) in front of Postgres.
 *
 * A loader returns the value and its WATERMARK: a position W such that every event <= W that can
 * change the value is applied in it. A request with `X-Min-Position: P` is served a cached value
 * only if W >= P. Single-stream rows (a connector profile, a service proposal) have one: the row's
 * own position (its stream is applied in order up to it, and no other stream changes the row).
 * Overviews and list pages combine many streams applied out of order across partitions, so no
 * cheap W is sound for them: they carry none, and a request with X-Min-Position reads them from
 * Postgres (after its wait) while requests without it are served from the cache.
 */
@Injectable()
export class QueryCache {
  /**
   * Keys are scoped by the read database (server and name): read models of different databases
   * sharing one Redis (two deployments, parallel test runs) never see each other's entries, while
   * the instances of one deployment share theirs.
   */
  private readonly scope: string;

  constructor(
    private readonly cache: ReadThroughCache,
    @InjectDataSource() db: DataSource,
  ) {
    this.scope = scopeOf(db);
  }

  /**
   * A detail as JSON text, or null when `load` found none. On a cache hit it is the text Redis
   * held, answered as it is: the handler returns it with a JSON content type (`@Header`), and
   * Fastify sends a string without serializing it again.
   */
  async detailJson<T>(
    key: string,
    minPosition: string | undefined,
    load: () => Promise<Loaded<T | null>>,
  ): Promise<string | null> {
    const read = await this.cache.readJson(this.scoped(key), load, {
      namespace: this.scoped(DETAILS_NAMESPACE),
      minPosition,
    });
    return read.value === null || read.json === undefined ? null : read.json;
  }

  async list<T>(
    namespace: ListNamespace,
    params: Record<string, unknown>,
    minPosition: string | undefined,
    load: () => Promise<T>,
  ): Promise<T> {
    const read = await this.cache.read(this.scoped(listKey(namespace, params)), async () => ({ value: await load() }), {
      namespace: this.scoped(namespace),
      minPosition,
    });
    return read.value;
  }

  /** Invalidates what a committed projection transaction changed (never throws; see ReadThroughCache). */
  async invalidate(changes: ProjectionChanges): Promise<boolean> {
    if (changes.keys.size === 0 && changes.namespaces.size === 0) return true;
    return this.cache.invalidateAll({
      keys: [...changes.keys].map((key) => this.scoped(key)),
      namespaces: [...changes.namespaces].map((namespace) => this.scoped(namespace)),
    });
  }

  /**
   * Drops every entry of this read database (details and list pages; other databases sharing the
   * Redis keep theirs) in one Redis call: the generation tokens of all namespaces are deleted, so
   * no entry stored before is served again, and a load that straddles the call cannot store its
   * value (compare-on-set). Never throws: false when Redis did not acknowledge.
   */
  invalidateEverything(): Promise<boolean> {
    return this.cache.invalidateAll({
      namespaces: [...Object.values(ListNamespaces), DETAILS_NAMESPACE].map((namespace) => this.scoped(namespace)),
    });
  }

  private scoped(key: string): string {
    return `${this.scope}/${key}`;
  }
}

/** The read database's identity in the cache keys (`<host>:<port>/<database>`). */
export function scopeOf(db: DataSource): string {
  const { url, host, port, database } = db.options as { url?: string; host?: string; port?: number; database?: string };
  if (url) {
    const parsed = new URL(url);
    return `${parsed.hostname}:${parsed.port || 5432}${parsed.pathname}`;
  }
  return `${host ?? ''}:${port ?? 5432}/${database ?? ''}`;
}
