import type { DomainEvent } from '../events/catalogue';
import { SqliteReadStore } from '../projections/embedded/sqlite-read-store';
import type { Projection } from '../projections/projection';

/**
 * Given these events, then this read model: runs a projection's pure handler over the events
 * and applies its operations, guarded by each event's position, to a real in-memory read store.
 */
export async function givenEvents(projection: Projection, events: readonly DomainEvent[]): Promise<SqliteReadStore> {
  const store = SqliteReadStore.open({ path: ':memory:' });
  for (const c of projection.collections) await store.ensureIndexes(c.name, c.indexes);
  for (const event of events) {
    if (!projection.eventTypes.has(event.type)) continue;
    await store.apply(projection.project(event).map((op) => ({ ...op, position: event.position })));
  }
  return store;
}
