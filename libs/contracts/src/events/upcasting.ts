/** An event as stored: its type, the version of its data's schema, and the data. */
export interface VersionedEvent {
  type: string;
  schemaVersion: number;
  data: unknown;
}

/** Turns the data of one schema version of an event type into the data of the next version. */
export interface Upcaster {
  type: string;
  fromVersion: number;
  upcast(data: unknown): unknown;
}

/**
 * Reads old events as current ones: applies the chain of upcasters from the stored schema
 * version up to the newest one registered. Events are immutable history; only how they are
 * read changes.
 */
export class UpcasterRegistry {
  private readonly byTypeAndVersion = new Map<string, Upcaster>();

  constructor(upcasters: readonly Upcaster[]) {
    for (const upcaster of upcasters) {
      const key = keyOf(upcaster.type, upcaster.fromVersion);
      if (this.byTypeAndVersion.has(key)) throw new Error(`Two upcasters for ${key}`);
      this.byTypeAndVersion.set(key, upcaster);
    }
  }

  upcast<E extends VersionedEvent>(event: E): E {
    let current: E = event;
    for (;;) {
      const upcaster = this.byTypeAndVersion.get(keyOf(current.type, current.schemaVersion));
      if (!upcaster) return current;
      current = { ...current, schemaVersion: current.schemaVersion + 1, data: upcaster.upcast(current.data) };
    }
  }
}

function keyOf(type: string, version: number) {
  return `${type}@v${version}`;
}
