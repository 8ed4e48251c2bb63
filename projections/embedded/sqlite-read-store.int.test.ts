import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeReadStoreContract } from '../contract/read-store-contract';
import type { Document, DocumentOperation } from '../read-store';
import { SqliteReadStore } from './sqlite-read-store';

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'flywheel-read-store-'));
}

describeReadStoreContract('SqliteReadStore (file)', async () => {
  const dir = tempDir();
  const store = SqliteReadStore.open({ path: join(dir, 'read.db') });
  return {
    store,
    cleanup: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

describe('SqliteReadStore', () => {
  const dir = tempDir();
  let store: SqliteReadStore;
  const c = 'interactions';
  const N = 20_000;

  beforeAll(async () => {
    store = SqliteReadStore.open({ path: join(dir, 'plan.db') });
    await store.ensureIndexes(c, [{ fields: { workloadId: 1, occurredAt: -1 } }, { fields: { requestId: 1 }, unique: true }]);
    const ops: DocumentOperation[] = Array.from({ length: N }, (_, i) => ({
      op: 'replace',
      collection: c,
      id: `i${i}`,
      doc: {
        workloadId: `w${i % 50}`,
        requestId: `r${i}`,
        occurredAt: new Date(Date.UTC(2025, 0, 1) + i * 1000).toISOString(),
        latencyMs: i % 997,
        tags: ['a', `t${i % 3}`],
      },
    }));
    await store.apply(ops);
  });

  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('given 20,000 documents, an equality on a unique index reads one row', async () => {
    const page = await store.find(c, { requestId: 'r12345' });
    expect(page.docs.map((d) => d._id)).toEqual(['i12345']);
    expect(store.lastQuery?.rowsExamined).toBe(1);
    expect(store.explain(c, { requestId: 'r12345' }).plan.join('\n')).toMatch(/SEARCH c_interactions USING INDEX .*requestId/);
  });

  it('an equality plus the sort of a compound index reads one page straight off the index', async () => {
    const page = await store.find(c, { workloadId: 'w7', latencyMs: { $gte: 0 } }, { sort: { occurredAt: -1 }, limit: 25 });
    expect(page.docs).toHaveLength(25);
    expect(page.docs[0]?._id).toBe('i19957');
    // 25 for the page and one more to know a next page exists.
    expect(store.lastQuery).toMatchObject({ sorted: true, rowsExamined: 26 });
    const plan = store.explain(c, { workloadId: 'w7' }, { sort: { occurredAt: -1 }, limit: 25 }).plan.join('\n');
    expect(plan).toMatch(/SEARCH c_interactions USING INDEX .*workloadId.*\(<expr>=\?\)/);
    expect(plan).not.toMatch(/TEMP B-TREE/);
  });

  it('the next page starts at the cursor in the index, not at the top', async () => {
    let after: string | undefined;
    for (let i = 0; i < 5; i++) {
      const page: { next: string | null } = await store.find(c, { workloadId: 'w7' }, { sort: { occurredAt: -1 }, limit: 20, ...(after ? { after } : {}) });
      after = page.next ?? undefined;
    }
    expect(store.lastQuery?.rowsExamined).toBe(21);
  });

  it('a range on an indexed path is an index range', async () => {
    const filter = { workloadId: { $in: ['w1', 'w2'] } };
    expect(await store.count(c, filter)).toBe(800);
    expect(store.lastQuery?.rowsExamined).toBe(800);
    expect(store.explain(c, filter).plan.join('\n')).toMatch(/USING INDEX/);
  });

  it('a filter on an unindexed path scans, and still answers right', async () => {
    expect(await store.count(c, { latencyMs: 5 })).toBe(21);
    expect(store.lastQuery?.rowsExamined).toBe(N);
  });

  it('once an indexed path holds an array, its predicates stay in mingo and stay right', async () => {
    const m = 'multikey';
    await store.ensureIndexes(m, [{ fields: { tag: 1 } }]);
    await store.apply([
      { op: 'replace', collection: m, id: 'a', doc: { tag: 'x' } },
      { op: 'replace', collection: m, id: 'b', doc: { tag: ['y', 'x'] } },
      { op: 'replace', collection: m, id: 'c', doc: { tag: true } },
    ]);
    expect((await store.find(m, { tag: 'x' })).docs.map((d) => d._id)).toEqual(['a', 'b']);
    expect(store.lastQuery?.sql).not.toMatch(/WHERE/);
    expect((await store.find(m, {}, { sort: { tag: 1 } })).docs.map((d) => d._id)).toEqual(['a', 'b', 'c']);
    expect(store.lastQuery?.sorted).toBe(false);
  });

  it('an index declared over existing arrays knows about them', async () => {
    const m = 'late-index';
    await store.apply([{ op: 'replace', collection: m, id: 'a', doc: { o: { list: [{ k: 1 }] } } }]);
    await store.ensureIndexes(m, [{ fields: { 'o.list': 1 } }]);
    expect((await store.find(m, { 'o.list': { k: 1 } })).docs).toHaveLength(1);
  });

  it('is durable across a reopen', async () => {
    const path = join(dir, 'durable.db');
    const first = SqliteReadStore.open({ path });
    await first.ensureIndexes('docs', [{ fields: { k: 1 }, unique: true }]);
    await first.apply([{ op: 'replace', collection: 'docs', id: 'x', doc: { k: 1, v: [1, { a: null }] }, position: 3 }], {
      checkpoint: { name: 'docs', position: 3 },
    });
    await first.close();
    const second = SqliteReadStore.open({ path });
    try {
      expect(await second.findById<Document>('docs', 'x')).toEqual({ _id: 'x', k: 1, v: [1, { a: null }], _position: 3 });
      expect(await second.getCheckpoint('docs')).toBe(3);
      await expect(second.apply([{ op: 'replace', collection: 'docs', id: 'y', doc: { k: 1 } }])).rejects.toMatchObject({ code: 'DUPLICATE_KEY' });
    } finally {
      await second.close();
    }
  });

  it('runs in memory too', async () => {
    const memory = SqliteReadStore.open({ path: ':memory:' });
    await memory.apply([{ op: 'replace', collection: 'm', id: 'a', doc: {} }]);
    expect(await memory.count('m', {})).toBe(1);
    await memory.close();
  });
});
