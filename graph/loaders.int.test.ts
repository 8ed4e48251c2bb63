import { SqliteReadStore } from '../projections/embedded/sqlite-read-store';
import { INTERACTIONS, interactionsProjection } from '../projections/interactions';
import { createLoaders } from './loaders';

describe('conversation loader', () => {
  it('given a very long conversation batched with a short one, then both come back whole (up to 200 turns)', async () => {
    const store = SqliteReadStore.open({ path: ':memory:' });
    for (const c of interactionsProjection.collections) await store.ensureIndexes(c.name, c.indexes);
    const turn = (conversationId: string, i: number) => ({
      op: 'replace' as const,
      collection: INTERACTIONS,
      id: `${conversationId}-${String(i).padStart(4, '0')}`,
      doc: { conversationId, workloadId: 'w', occurredAt: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString() },
    });
    // "a-long" sorts first, so under a shared limit it would use up the whole budget.
    await store.apply([...Array.from({ length: 500 }, (_, i) => turn('a-long', i)), ...Array.from({ length: 3 }, (_, i) => turn('b-short', i))]);
    const loaders = createLoaders(store);
    const [long, short] = await Promise.all([loaders.conversation.load('a-long'), loaders.conversation.load('b-short')]);
    expect(long).toHaveLength(200);
    expect(long[0]?._id).toBe('a-long-0000');
    expect(short.map((d) => d._id)).toEqual(['b-short-0000', 'b-short-0001', 'b-short-0002']);
    await store.close();
  });
});
