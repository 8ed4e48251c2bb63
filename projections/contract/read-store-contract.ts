/**
 * The ReadStore contract: every adapter runs this suite (`describeReadStoreContract(name, factory)`)
 * and is done when it passes. It speaks only the port, and every test writes to collections of its
 * own, so it can run against a shared MongoDB.
 */
import { DuplicateKey, InvalidQuery, InvalidUpdate, ReadStoreClosed } from '../errors';
import type { Document, DocumentOperation, ReadStore } from '../read-store';
import { describeQueryContract } from './query-contract';
import { describeUpdateContract } from './update-contract';

export interface ReadStoreFixture {
  readonly store: ReadStore;
  cleanup(): Promise<void>;
}

export type ReadStoreFactory = () => Promise<ReadStoreFixture>;

export interface ContractOptions {
  /**
   * Whether `apply` is all-or-nothing. Only an adapter mode that cannot be (MongoDB without
   * transactions) says false, and its atomicity tests are then reported as skipped.
   */
  readonly atomicApply?: boolean;
}

export interface ContractContext {
  readonly store: ReadStore;
  readonly factory: ReadStoreFactory;
  /** A collection name no other test (or run) uses. */
  collection(label?: string): string;
  /** Given these documents (replaced as they are, without a position). */
  given(collection: string, docs: readonly Document[]): Promise<void>;
}

const run = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
let counter = 0;

function replaceOf(collection: string, doc: Document): DocumentOperation {
  const { _id, ...rest } = doc;
  return { op: 'replace', collection, id: _id, doc: rest };
}

export function describeReadStoreContract(name: string, factory: ReadStoreFactory, options: ContractOptions = {}): void {
  describe(`ReadStore contract: ${name}`, () => {
    let fixture: ReadStoreFixture | null = null;
    beforeAll(async () => {
      fixture = await factory();
    });
    afterAll(async () => {
      await fixture?.cleanup();
    });
    const ctx: ContractContext = {
      get store(): ReadStore {
        if (!fixture) throw new Error('the read store fixture did not start');
        return fixture.store;
      },
      factory,
      collection: (label = 'c') => `t_${run}_${label}_${++counter}`,
      given: async (collection, docs) => {
        await ctx.store.apply(docs.map((d) => replaceOf(collection, d)));
      },
    };

    describeWriteContract(ctx);
    describeUpdateContract(ctx);
    describeQueryContract(ctx);
    describeApplyContract(ctx, options.atomicApply ?? true);
  });
}

function describeWriteContract(ctx: ContractContext): void {
  describe('documents', () => {
    it('round-trips a document exactly as JSON', async () => {
      const c = ctx.collection();
      const doc = {
        _id: 'doc-1',
        text: 'héllo 👋 "quoted"',
        int: 42,
        float: -3.25,
        big: 1e21,
        zero: 0,
        yes: true,
        no: false,
        nothing: null,
        list: [1, 'two', { three: [3] }, [], null],
        nested: { deeper: { deepest: 'x' }, empty: {} },
      };
      await ctx.given(c, [doc]);
      expect(await ctx.store.findById(c, 'doc-1')).toEqual(doc);
    });

    it('replace overwrites the whole document', async () => {
      const c = ctx.collection();
      await ctx.given(c, [{ _id: 'a', x: 1, y: 2 }]);
      await ctx.store.apply([{ op: 'replace', collection: c, id: 'a', doc: { z: 3 } }]);
      expect(await ctx.store.findById(c, 'a')).toEqual({ _id: 'a', z: 3 });
    });

    it('update with upsert creates {_id, ...} and applies $setOnInsert only then', async () => {
      const c = ctx.collection();
      const op: DocumentOperation = { op: 'update', collection: c, id: 'w', upsert: true, update: { $inc: { n: 1 }, $setOnInsert: { first: 'yes' } } };
      await ctx.store.apply([op]);
      expect(await ctx.store.findById(c, 'w')).toEqual({ _id: 'w', n: 1, first: 'yes' });
      await ctx.store.apply([{ ...op, update: { $inc: { n: 1 }, $setOnInsert: { first: 'again' } } }]);
      expect(await ctx.store.findById(c, 'w')).toEqual({ _id: 'w', n: 2, first: 'yes' });
    });

    it('update without upsert on a missing document is a no-op', async () => {
      const c = ctx.collection();
      await ctx.store.apply([{ op: 'update', collection: c, id: 'ghost', update: { $set: { x: 1 } } }]);
      expect(await ctx.store.findById(c, 'ghost')).toBeNull();
    });

    it('delete removes the document; deleting a missing one is a no-op', async () => {
      const c = ctx.collection();
      await ctx.given(c, [{ _id: 'a' }, { _id: 'b' }]);
      await ctx.store.apply([
        { op: 'delete', collection: c, id: 'a' },
        { op: 'delete', collection: c, id: 'nope' },
      ]);
      expect(await ctx.store.findById(c, 'a')).toBeNull();
      expect(await ctx.store.findById(c, 'b')).toEqual({ _id: 'b' });
    });

    it('reads of a collection that was never written are empty', async () => {
      const c = ctx.collection('never');
      expect(await ctx.store.findById(c, 'x')).toBeNull();
      expect(await ctx.store.findByIds(c, ['x'])).toEqual([]);
      expect(await ctx.store.find(c, {})).toEqual({ docs: [], next: null });
      expect(await ctx.store.count(c, {})).toBe(0);
    });

    it('findByIds returns the documents that exist, once each, in the order asked', async () => {
      const c = ctx.collection();
      await ctx.given(c, [{ _id: 'a', v: 1 }, { _id: 'b', v: 2 }, { _id: 'c', v: 3 }]);
      const docs = await ctx.store.findByIds(c, ['c', 'missing', 'a', 'c']);
      expect(docs).toEqual([{ _id: 'c', v: 3 }, { _id: 'a', v: 1 }]);
      expect(await ctx.store.findByIds(c, [])).toEqual([]);
    });

    it('rejects invalid collection names with the port errors', async () => {
      await expect(ctx.store.find('bad name!', {})).rejects.toBeInstanceOf(InvalidQuery);
      await expect(ctx.store.apply([{ op: 'delete', collection: '$bad', id: 'x' }])).rejects.toBeInstanceOf(InvalidUpdate);
    });

    it('a closed store refuses work with ReadStoreClosed', async () => {
      const own = await ctx.factory();
      try {
        await own.store.close();
        await expect(own.store.find(ctx.collection(), {})).rejects.toBeInstanceOf(ReadStoreClosed);
        await expect(own.store.apply([])).rejects.toBeInstanceOf(ReadStoreClosed);
      } finally {
        await own.cleanup();
      }
    });
  });
}

function describeApplyContract(ctx: ContractContext, atomic: boolean): void {
  describe('apply', () => {
    const itAtomic = atomic ? it : it.skip;
    itAtomic('is atomic: a failing later operation leaves nothing of the batch and keeps the checkpoint', async () => {
      const c = ctx.collection();
      const checkpoint = ctx.collection('cp');
      await ctx.given(c, [{ _id: 'text', n: 'not a number' }]);
      await ctx.store.apply([], { checkpoint: { name: checkpoint, position: 1 } });
      const batch: DocumentOperation[] = [
        { op: 'replace', collection: c, id: 'new', doc: { v: 1 } },
        { op: 'delete', collection: c, id: 'text' },
        { op: 'update', collection: c, id: 'text2', upsert: true, update: { $set: { n: 'still text' } } },
        { op: 'update', collection: c, id: 'text2', update: { $inc: { n: 1 } } },
      ];
      await expect(ctx.store.apply(batch, { checkpoint: { name: checkpoint, position: 2 } })).rejects.toBeInstanceOf(InvalidUpdate);
      expect(await ctx.store.findById(c, 'new')).toBeNull();
      expect(await ctx.store.findById(c, 'text')).toEqual({ _id: 'text', n: 'not a number' });
      expect(await ctx.store.findById(c, 'text2')).toBeNull();
      expect(await ctx.store.getCheckpoint(checkpoint)).toBe(1);
    });

    itAtomic('is atomic across a unique index violation, which is a DuplicateKey', async () => {
      const c = ctx.collection();
      const checkpoint = ctx.collection('cp');
      await ctx.store.ensureIndexes(c, [{ fields: { email: 1 }, unique: true }]);
      await ctx.given(c, [{ _id: 'u1', email: 'a@x' }]);
      const attempt = ctx.store.apply(
        [
          { op: 'replace', collection: c, id: 'u2', doc: { email: 'b@x' } },
          { op: 'replace', collection: c, id: 'u3', doc: { email: 'a@x' } },
        ],
        { checkpoint: { name: checkpoint, position: 7 } },
      );
      await expect(attempt).rejects.toBeInstanceOf(DuplicateKey);
      expect(await ctx.store.findById(c, 'u2')).toBeNull();
      expect(await ctx.store.getCheckpoint(checkpoint)).toBeNull();
    });

    it('writes the checkpoint with the operations', async () => {
      const c = ctx.collection();
      const checkpoint = ctx.collection('cp');
      expect(await ctx.store.getCheckpoint(checkpoint)).toBeNull();
      await ctx.store.apply([{ op: 'replace', collection: c, id: 'a', doc: {} }], { checkpoint: { name: checkpoint, position: 3 } });
      expect(await ctx.store.getCheckpoint(checkpoint)).toBe(3);
      await ctx.store.apply([], { checkpoint: { name: checkpoint, position: 9 } });
      expect(await ctx.store.getCheckpoint(checkpoint)).toBe(9);
    });

    it('stamps the position and skips a re-applied or older position', async () => {
      const c = ctx.collection();
      const inc = (position: number): DocumentOperation => ({ op: 'update', collection: c, id: 'k', upsert: true, update: { $inc: { n: 1 } }, position });
      await ctx.store.apply([inc(10)]);
      expect(await ctx.store.findById(c, 'k')).toEqual({ _id: 'k', n: 1, _position: 10 });
      await ctx.store.apply([inc(10)]);
      await ctx.store.apply([inc(9)]);
      expect(await ctx.store.findById(c, 'k')).toEqual({ _id: 'k', n: 1, _position: 10 });
      await ctx.store.apply([inc(11), inc(12)]);
      expect(await ctx.store.findById(c, 'k')).toEqual({ _id: 'k', n: 3, _position: 12 });
    });

    it('takes ApplyOptions.position when an operation carries none', async () => {
      const c = ctx.collection();
      const op: DocumentOperation = { op: 'update', collection: c, id: 'k', upsert: true, update: { $inc: { n: 1 } } };
      await ctx.store.apply([op], { position: 4 });
      await ctx.store.apply([op], { position: 4 });
      await ctx.store.apply([{ ...op, position: 5 }], { position: 4 });
      expect(await ctx.store.findById(c, 'k')).toEqual({ _id: 'k', n: 2, _position: 5 });
    });

    it('guards replace and delete, and an upsert onto a newer document is skipped, not an error', async () => {
      const c = ctx.collection();
      await ctx.store.apply([{ op: 'replace', collection: c, id: 'r', doc: { v: 'new' }, position: 20 }]);
      await ctx.store.apply([
        { op: 'replace', collection: c, id: 'r', doc: { v: 'old' }, position: 15 },
        { op: 'update', collection: c, id: 'r', upsert: true, update: { $set: { v: 'older' } }, position: 16 },
        { op: 'delete', collection: c, id: 'r', position: 19 },
      ]);
      expect(await ctx.store.findById(c, 'r')).toEqual({ _id: 'r', v: 'new', _position: 20 });
      await ctx.store.apply([{ op: 'delete', collection: c, id: 'r', position: 21 }]);
      expect(await ctx.store.findById(c, 'r')).toBeNull();
    });

    it('without a position nothing is guarded', async () => {
      const c = ctx.collection();
      await ctx.store.apply([{ op: 'replace', collection: c, id: 'p', doc: { n: 0 }, position: 50 }]);
      await ctx.store.apply([{ op: 'update', collection: c, id: 'p', update: { $inc: { n: 1 } } }]);
      expect(await ctx.store.findById(c, 'p')).toEqual({ _id: 'p', n: 1, _position: 50 });
    });

    it('drop removes the documents, the indexes and the checkpoint', async () => {
      const c = ctx.collection();
      const other = ctx.collection();
      const checkpoint = ctx.collection('cp');
      await ctx.store.ensureIndexes(c, [{ fields: { key: 1 }, unique: true }]);
      await ctx.store.apply(
        [
          { op: 'replace', collection: c, id: 'a', doc: { key: 1 } },
          { op: 'replace', collection: other, id: 'b', doc: {} },
        ],
        { checkpoint: { name: checkpoint, position: 5 } },
      );
      await ctx.store.drop([c], checkpoint);
      expect(await ctx.store.count(c, {})).toBe(0);
      expect(await ctx.store.getCheckpoint(checkpoint)).toBeNull();
      expect(await ctx.store.findById(other, 'b')).toEqual({ _id: 'b' });
      // The unique index went with it.
      await ctx.given(c, [{ _id: 'x', key: 1 }, { _id: 'y', key: 1 }]);
      expect(await ctx.store.count(c, { key: 1 })).toBe(2);
      await ctx.store.drop([c, ctx.collection('never')]);
    });
  });
}
