import type { DomainEvent } from '../events/catalogue';
import { SqliteReadStore } from '../projections/embedded/sqlite-read-store';
import type { Projection } from '../projections/projection';

/**
 * Given these events, then these read models: runs each projection's pure handler over the
 * events and applies its operations, guarded by each event's position, to a real in-memory
 * read store (several projections of one feature side by side, as the projector keeps them).
 */
export async function givenEvents(projections: Projection | readonly Projection[], events: readonly DomainEvent[]): Promise<SqliteReadStore> {
  const store = SqliteReadStore.open({ path: ':memory:' });
  const all: readonly Projection[] = 'project' in projections ? [projections] : projections;
  for (const projection of all) for (const c of projection.collections) await store.ensureIndexes(c.name, c.indexes);
  for (const projection of all) {
    for (const event of events) {
      if (!projection.eventTypes.has(event.type)) continue;
      await store.apply(projection.project(event).map((op) => ({ ...op, position: event.position })));
    }
  }
  return store;
}
