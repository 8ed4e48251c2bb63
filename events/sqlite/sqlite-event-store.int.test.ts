import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { events, ids, newEvent, take, uniqueCategory } from '../contract/contract-helpers';
import { describeEventStoreContract } from '../contract/event-store-contract';
import { ExpectedRevisionConflict, IdempotencyConflict } from '../errors';
import { buildSql, normalizeFilter } from './all-query';
import { SqliteEventStore } from './sqlite-event-store';
import { startAppender, tempDir } from './test-support';

describeEventStoreContract('sqlite (temp file)', async () => {
  const { dir, remove } = await tempDir('contract');
  const store = await SqliteEventStore.open({ path: join(dir, 'events.db') });
  return {
    store,
    cleanup: async () => {
      await store.close();
      await remove();
    },
  };
});

describe('SqliteEventStore', () => {
  let dir: string;
  let remove: () => Promise<void>;
  const open = (name = 'events.db', options: { pollIntervalMs?: number } = {}) =>
    SqliteEventStore.open({ path: join(dir, name), ...options });

  beforeEach(async () => {
    ({ dir, remove } = await tempDir('sqlite'));
  });
  afterEach(async () => {
    await remove();
  });

  it('given appended events, when the store is closed and reopened, then they are all there and revisions continue', async () => {
    const first = await open();
    const stream = `${uniqueCategory()}-1`;
    const appended = events(5);
    const result = await first.append(stream, appended);
    await first.close();

    const second = await open();
    try {
      const read = await second.readStream(stream);
      expect(ids(read)).toEqual(ids(appended));
      expect(read[4]?.position).toBe(result.position);
      expect(await second.headPosition()).toBe(result.position);
      await expect(second.append(stream, events(1), { expectedRevision: 4 })).resolves.toMatchObject({ lastRevision: 5 });
      // A retry after a restart is still recognised.
      await expect(second.append(stream, appended)).resolves.toEqual(result);
    } finally {
      await second.close();
    }
  });

  it('given 200 concurrent appends, then group commit writes them in a handful of transactions', async () => {
    const store = await open();
    try {
      const category = uniqueCategory();
      const before = store.stats();

      const results = await Promise.all(Array.from({ length: 200 }, (_, i) => store.append(`${category}-${i % 10}`, events(1))));

      const after = store.stats();
      expect(results).toHaveLength(200);
      expect(after.appends - before.appends).toBe(200);
      expect(after.events - before.events).toBe(200);
      expect(after.transactions - before.transactions).toBeLessThanOrEqual(5);
      expect(after.largestBatch).toBeGreaterThanOrEqual(40);
    } finally {
      await store.close();
    }
  });

  it('given one batch, then a conflicting append fails alone and later appends see earlier ones', async () => {
    const store = await open();
    try {
      const stream = `${uniqueCategory()}-1`;
      const before = store.stats().transactions;

      const settled = await Promise.allSettled([
        store.append(stream, events(1), { expectedRevision: 'no_stream' }),
        store.append(stream, events(1), { expectedRevision: 'no_stream' }),
        store.append(stream, events(2), { expectedRevision: 0 }),
        store.append(stream, events(1), { expectedRevision: 5 }),
        store.append(stream, events(1), { expectedRevision: 2 }),
      ]);

      expect(store.stats().transactions - before).toBe(1);
      expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'rejected', 'fulfilled']);
      expect(settled[1]).toMatchObject({ reason: expect.any(ExpectedRevisionConflict) });
      expect(settled[3]).toMatchObject({ reason: { expected: 5, actual: 2 } });
      expect(settled[4]).toMatchObject({ value: { lastRevision: 3 } });
      expect(await store.readStream(stream)).toHaveLength(4);
    } finally {
      await store.close();
    }
  });

  it('idempotency: a retry in the same batch is a no-op; ids stored in another stream conflict', async () => {
    const store = await open();
    try {
      const category = uniqueCategory();
      const batch = events(3);
      const [first, retry] = await Promise.all([store.append(`${category}-1`, batch), store.append(`${category}-1`, batch)]);
      expect(retry).toEqual(first);

      const elsewhere = store.append(`${category}-2`, [batch[1] ?? newEvent()]);
      await expect(elsewhere).rejects.toBeInstanceOf(IdempotencyConflict);
      await expect(elsewhere).rejects.toMatchObject({ stream: `${category}-2`, eventIds: [batch[1]?.id] });
      // A consecutive run of an earlier append's ids, in order, answers with its last event.
      const read = await store.readStream(`${category}-1`);
      await expect(store.append(`${category}-1`, batch.slice(1))).resolves.toEqual({
        lastRevision: 2,
        position: read[2]?.position,
      });
      expect(await store.readStream(`${category}-2`)).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it('given appends not yet flushed, when the store closes, then they are written and answered', async () => {
    const path = join(dir, 'events.db');
    const store = await SqliteEventStore.open({ path });
    const stream = `${uniqueCategory()}-1`;
    const pending = store.append(stream, events(2));

    await store.close();

    await expect(pending).resolves.toMatchObject({ lastRevision: 1 });
    const reopened = await SqliteEventStore.open({ path });
    expect(await reopened.readStream(stream)).toHaveLength(2);
    await reopened.close();
  });

  it('records the time from the injected clock', async () => {
    const store = await SqliteEventStore.open({ path: ':memory:', clock: () => new Date('2030-01-02T03:04:05.006Z') });
    const stream = `${uniqueCategory()}-1`;
    await store.append(stream, events(1));
    expect((await store.readStream(stream))[0]?.recordedAt).toBe('2030-01-02T03:04:05.006Z');
    await store.close();
  });

  it('given another process appending to the same file, then a live subscriber here receives it by polling', async () => {
    const path = join(dir, 'shared.db');
    const store = await SqliteEventStore.open({ path, pollIntervalMs: 50 });
    try {
      const category = uniqueCategory();
      const subscription = store.subscribeToAll({ after: await store.headPosition(), filter: { streamPrefixes: [`${category}-`] } });
      const received = take(subscription, 40, 20_000);

      const writer = startAppender({ path, category, writers: 4, perWriter: 10 });
      const exit = await writer.exited;
      expect({ exit, stderr: writer.stderr() }).toEqual({ exit: { code: 0, signal: null }, stderr: '' });

      const got = await received;
      const acknowledged = writer.lines().map((line) => line.split(' ')[2]);
      expect(ids(got).sort()).toEqual([...acknowledged].sort());
      expect(store.stats().transactions).toBe(0);
      await subscription.close();
    } finally {
      await store.close();
    }
  });

  it('given a consumer that pauses for longer than a page, then what was appended meanwhile follows without a gap', async () => {
    const store = await SqliteEventStore.open({ path: join(dir, 'slow.db') });
    try {
      const category = uniqueCategory();
      await store.append(`${category}-1`, events(600));
      const subscription = store.subscribeToAll({ filter: { streamPrefixes: [`${category}-`] } });
      const first = await take(subscription, 1);
      // Appends keep coming while the consumer holds on to its first event.
      await store.append(`${category}-1`, events(10));
      const rest = await take(subscription, 609);
      expect([...first, ...rest].map((e) => e.revision)).toEqual(Array.from({ length: 610 }, (_, i) => i));
      await subscription.close();
    } finally {
      await store.close();
    }
  });

  describe('$all reads walk indexes in position order (no table scan, no sort of a whole category)', () => {
    interface PlanRow {
      readonly id: number;
      readonly parent: number;
      readonly detail: string;
    }
    const plan = (filter: Parameters<typeof normalizeFilter>[0], direction: 'forwards' | 'backwards'): PlanRow[] => {
      const db = new Database(':memory:');
      db.exec(
        `CREATE TABLE events (position INTEGER PRIMARY KEY AUTOINCREMENT, stream TEXT, revision INTEGER, id TEXT,
           type TEXT, category TEXT, recorded_at TEXT, metadata TEXT, data TEXT);
         CREATE UNIQUE INDEX events_stream_revision ON events (stream, revision);
         CREATE UNIQUE INDEX events_id ON events (id);
         CREATE INDEX events_type ON events (type);
         CREATE INDEX events_category ON events (category);`,
      );
      const params: Record<string, string | number> = { after: 0, upTo: 100, limit: 10 };
      const sql = buildSql(direction, normalizeFilter(filter), params);
      const rows = db.prepare<[Record<string, string | number>], PlanRow>(`EXPLAIN QUERY PLAN ${sql}`).all(params);
      db.close();
      return rows;
    };

    it.each([
      ['no filter', undefined, 'INTEGER PRIMARY KEY'],
      ['two types', { eventTypes: ['ThingHappened', 'ThingChanged'] }, 'INDEX events_type'],
      ['two categories', { streamPrefixes: ['thing-', 'other-'] }, 'INDEX events_category'],
      ['a prefix into the id, with a type', { streamPrefixes: ['thing-42'], eventTypes: ['ThingHappened'] }, 'INDEX events_category'],
    ])('%s', (_, filter, index) => {
      for (const direction of ['forwards', 'backwards'] as const) {
        const rows = plan(filter, direction);
        const walks = rows.filter((r) => r.detail.startsWith('SEARCH events'));
        expect(walks.length).toBeGreaterThan(0);
        for (const walk of walks) expect(walk.detail).toContain(index);
        expect(rows.filter((r) => r.detail.startsWith('SCAN events'))).toEqual([]);
        // A sort may only order the few rows a limited walk yields, never sit beside the walk itself.
        for (const sort of rows.filter((r) => r.detail.startsWith('USE TEMP B-TREE'))) {
          expect(walks.filter((w) => w.parent === sort.parent)).toEqual([]);
        }
      }
    });
  });

  it('opens an in-memory store for unit use', async () => {
    const store = await SqliteEventStore.open({ path: ':memory:' });
    const stream = `${uniqueCategory()}-${randomUUID()}`;
    await store.append(stream, events(2));
    expect(await store.readStream(stream)).toHaveLength(2);
    await store.close();
  });
});
