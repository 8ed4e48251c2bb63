/** Filters, sorting, limits, cursor paging, count and indexes; part of the ReadStore contract. */
import { DuplicateKey, InvalidCursor, InvalidQuery } from '../errors';
import type { Document, Filter, IndexSpec, Sort } from '../read-store';
import type { ContractContext } from './read-store-contract';

const people: readonly Document[] = [
  { _id: 'a', n: 1, s: 'apple', tags: ['red', 'blue'], nested: { k: 1, items: [{ v: 1 }, { v: 2 }] }, opt: null, flag: true },
  { _id: 'b', n: 2, s: 'Banana', tags: ['blue'], nested: { k: 2, items: [{ v: 3 }] }, flag: false },
  { _id: 'c', n: 3, s: 'cherry', tags: [], nested: { k: 3 }, opt: 'set' },
  { _id: 'd', n: 'three', s: 'apple pie' },
  { _id: 'e', n: 2.5, s: 'date', tags: ['green'], opt: 0 },
];

const filterCases: readonly [string, Filter, readonly string[]][] = [
  ['everything', {}, ['a', 'b', 'c', 'd', 'e']],
  ['equality', { n: 2 }, ['b']],
  ['a fractional number', { n: 2.5 }, ['e']],
  ['$gt compares numbers with numbers only', { n: { $gt: 1 } }, ['b', 'c', 'e']],
  ['a range', { n: { $gte: 2, $lt: 3 } }, ['b', 'e']],
  ['$lte with a string compares strings only', { n: { $lte: 'z' } }, ['d']],
  ['a string range (binary order)', { s: { $gt: 'apple' } }, ['c', 'd', 'e']],
  ['$eq', { s: { $eq: 'apple' } }, ['a']],
  ['$in across types', { n: { $in: [1, 3, 'three'] } }, ['a', 'c', 'd']],
  ['$nin', { n: { $nin: [1, 2] } }, ['c', 'd', 'e']],
  ['$ne', { n: { $ne: 2 } }, ['a', 'c', 'd', 'e']],
  ['array membership', { tags: 'blue' }, ['a', 'b']],
  ['a whole array', { tags: ['blue'] }, ['b']],
  ['$in on an array field', { tags: { $in: ['green', 'red'] } }, ['a', 'e']],
  ['$size', { tags: { $size: 0 } }, ['c']],
  ['a dotted path', { 'nested.k': { $gte: 2 } }, ['b', 'c']],
  ['a dotted path through an array', { 'nested.items.v': 3 }, ['b']],
  ['$elemMatch', { 'nested.items': { $elemMatch: { v: { $gt: 1 } } } }, ['a', 'b']],
  ['null matches null and missing', { opt: null }, ['a', 'b', 'd']],
  ['$exists true includes null', { opt: { $exists: true } }, ['a', 'c', 'e']],
  ['$exists false', { opt: { $exists: false } }, ['b', 'd']],
  ['$ne null excludes null and missing', { opt: { $ne: null } }, ['c', 'e']],
  ['a boolean true', { flag: true }, ['a']],
  ['a boolean false', { flag: false }, ['b']],
  ['$or', { $or: [{ n: 1 }, { s: 'date' }] }, ['a', 'e']],
  ['$and', { $and: [{ n: { $gt: 1 } }, { n: { $lt: 3 } }] }, ['b', 'e']],
  ['$regex', { s: { $regex: '^app' } }, ['a', 'd']],
  ['$regex with $options', { s: { $regex: '^b', $options: 'i' } }, ['b']],
  ['$not', { s: { $not: { $regex: '^app' } } }, ['b', 'c', 'e']],
  ['$type', { n: { $type: 'string' } }, ['d']],
  ['_id with $in', { _id: { $in: ['a', 'c', 'zz'] } }, ['a', 'c']],
  ['_id range', { _id: { $gt: 'c' } }, ['d', 'e']],
];

const badFilters: readonly [string, Filter][] = [
  ['$where', { $where: 'true' }],
  ['$expr', { $expr: { $eq: ['$n', 1] } }],
  ['an unknown operator', { n: { $foo: 1 } }],
  ['an empty $or', { $or: [] }],
  ['$in without an array', { n: { $in: 5 } }],
  ['an invalid regular expression', { s: { $regex: '(' } }],
  ['a negative $size', { tags: { $size: -1 } }],
];

const peopleIndexes: readonly IndexSpec[] = [
  { fields: { n: 1 } },
  { fields: { s: 1 } },
  { fields: { tags: 1 } },
  { fields: { 'nested.k': 1 } },
  { fields: { opt: 1 } },
  { fields: { flag: 1 } },
  { fields: { n: 1, s: -1 } },
];

const noIndexes: readonly IndexSpec[] = [];
const groupedIndexes: readonly IndexSpec[] = [{ fields: { g: 1, v: -1 } }, { fields: { v: 1 } }];
/** Untyped JSON, as it could arrive from the wire: the store has to refuse it on its own. */
const badSort: Sort = JSON.parse('{"v":1,"g":"up"}');

const pagingCases: readonly [Filter, Sort][] = [
  [{}, { score: -1 }],
  [{}, { score: 1, bucket: -1 }],
  [{ bucket: { $ne: 2 } }, { score: 1 }],
  [{ bucket: 1 }, { score: 1 }],
  [{ score: { $gte: 2 } }, { score: -1 }],
  [{}, { _id: 1 }],
];

const grouped: readonly Document[] = [
  { _id: 's1', g: 'x', v: 2 },
  { _id: 's2', g: 'x', v: 1 },
  { _id: 's3', g: 'y', v: 3 },
  { _id: 's4', g: 'x', v: 2 },
  { _id: 's5', v: 5 },
  { _id: 's6', g: null, v: 0 },
  { _id: 's7', g: 'y', v: 3 },
];

const sortCases: readonly [Sort, readonly string[]][] = [
  // Null and missing sort first; ties go to _id in the direction of the last key.
  [{ g: 1, v: -1 }, ['s5', 's6', 's4', 's1', 's2', 's7', 's3']],
  [{ g: -1, v: 1 }, ['s3', 's7', 's2', 's1', 's4', 's6', 's5']],
  [{ v: 1 }, ['s6', 's2', 's1', 's4', 's3', 's7', 's5']],
  [{ _id: -1 }, ['s7', 's6', 's5', 's4', 's3', 's2', 's1']],
];

/** 61 documents with repeated, null, missing and string scores, to page through. */
function pagingDocs(): Document[] {
  return Array.from({ length: 61 }, (_, i) => {
    const id = `p${String(i).padStart(3, '0')}`;
    if (i % 13 === 0) return { _id: id, bucket: i % 3 };
    if (i % 11 === 0) return { _id: id, score: null, bucket: i % 3 };
    if (i % 17 === 0) return { _id: id, score: `s${i % 2}`, bucket: i % 3 };
    return { _id: id, score: i % 7, bucket: i % 3 };
  });
}

export function describeQueryContract(ctx: ContractContext): void {
  describe.each([
    ['without indexes', noIndexes],
    ['with indexes', peopleIndexes],
  ])('filters %s', (_label, indexes) => {
    let c = '';
    beforeAll(async () => {
      c = ctx.collection('people');
      if (indexes.length > 0) await ctx.store.ensureIndexes(c, indexes);
      await ctx.given(c, people);
    });

    it.each(filterCases)('%s', async (_name, filter, expected) => {
      const page = await ctx.store.find(c, filter, { sort: { _id: 1 } });
      expect(page.docs.map((d) => d._id)).toEqual(expected);
      expect(await ctx.store.count(c, filter)).toBe(expected.length);
    });

    it('sorts mixed types numbers before strings', async () => {
      const page = await ctx.store.find(c, {}, { sort: { n: 1 } });
      expect(page.docs.map((d) => d._id)).toEqual(['a', 'b', 'e', 'c', 'd']);
    });

    it.each(badFilters)('refuses %s with InvalidQuery', async (_name, filter) => {
      await expect(ctx.store.find(c, filter)).rejects.toBeInstanceOf(InvalidQuery);
      await expect(ctx.store.count(c, filter)).rejects.toBeInstanceOf(InvalidQuery);
    });
  });

  describe.each([
    ['without indexes', noIndexes],
    ['with indexes', groupedIndexes],
  ])('sort %s', (_label, indexes) => {
    let c = '';
    beforeAll(async () => {
      c = ctx.collection('sort');
      if (indexes.length > 0) await ctx.store.ensureIndexes(c, indexes);
      await ctx.given(c, grouped);
    });

    it.each(sortCases)('%j', async (sort, expected) => {
      const page = await ctx.store.find(c, {}, { sort });
      expect(page.docs.map((d) => d._id)).toEqual(expected);
      expect(page.next).toBeNull();
    });

    it('limits, and says where the next page starts', async () => {
      const first = await ctx.store.find(c, {}, { sort: { v: 1 }, limit: 3 });
      expect(first.docs.map((d) => d._id)).toEqual(['s6', 's2', 's1']);
      expect(first.next).toEqual(expect.any(String));
      const second = await ctx.store.find(c, {}, { sort: { v: 1 }, limit: 3, after: first.next ?? '' });
      expect(second.docs.map((d) => d._id)).toEqual(['s4', 's3', 's7']);
      const last = await ctx.store.find(c, {}, { sort: { v: 1 }, limit: 3, after: second.next ?? '' });
      expect(last).toEqual({ docs: [expect.objectContaining({ _id: 's5' })], next: null });
    });

    it('refuses a bad limit, a bad sort and a bad cursor', async () => {
      await expect(ctx.store.find(c, {}, { limit: 0 })).rejects.toBeInstanceOf(InvalidQuery);
      await expect(ctx.store.find(c, {}, { limit: 1.5 })).rejects.toBeInstanceOf(InvalidQuery);
      await expect(ctx.store.find(c, {}, { sort: badSort })).rejects.toBeInstanceOf(InvalidQuery);
      await expect(ctx.store.find(c, {}, { after: 'not a cursor!' })).rejects.toBeInstanceOf(InvalidCursor);
      await expect(ctx.store.find(c, {}, { after: Buffer.from('{"s":1}').toString('base64url') })).rejects.toBeInstanceOf(InvalidCursor);
      const page = await ctx.store.find(c, {}, { sort: { v: 1 }, limit: 1 });
      await expect(ctx.store.find(c, {}, { sort: { v: -1 }, after: page.next ?? '' })).rejects.toBeInstanceOf(InvalidCursor);
    });

    it('accepts a limit above the maximum', async () => {
      expect((await ctx.store.find(c, {}, { limit: 50_000 })).docs).toHaveLength(grouped.length);
    });
  });

  it('returns 100 documents by default', async () => {
    const c = ctx.collection('many');
    await ctx.given(c, Array.from({ length: 120 }, (_, i) => ({ _id: `m${String(i).padStart(3, '0')}` })));
    const page = await ctx.store.find(c, {});
    expect(page.docs).toHaveLength(100);
    expect(page.next).not.toBeNull();
  });

  describe.each([
    ['without an index', false],
    ['with an index', true],
  ])('cursor paging %s', (_label, indexed) => {
    const docs = pagingDocs();
    let c = '';
    beforeAll(async () => {
      c = ctx.collection('page');
      if (indexed) await ctx.store.ensureIndexes(c, [{ fields: { score: -1 } }, { fields: { score: 1, bucket: -1 } }, { fields: { bucket: 1, score: 1 } }]);
      await ctx.given(c, docs);
    });

    async function pageThrough(filter: Filter, sort: Sort, limit: number): Promise<string[]> {
      const seen: string[] = [];
      let after: string | undefined;
      for (let pages = 0; pages < 100; pages++) {
        const page = await ctx.store.find(c, filter, { sort, limit, ...(after ? { after } : {}) });
        seen.push(...page.docs.map((d) => d._id));
        if (!page.next) return seen;
        after = page.next;
      }
      throw new Error('paging did not end');
    }

    it.each(pagingCases)('visits every match of %j in %j exactly once, in order', async (filter, sort) => {
      const all = await ctx.store.find(c, filter, { sort, limit: 1000 });
      const expected = all.docs.map((d) => d._id);
      expect(new Set(expected).size).toBe(await ctx.store.count(c, filter));
      expect(await pageThrough(filter, sort, 7)).toEqual(expected);
      expect(await pageThrough(filter, sort, 1)).toEqual(expected);
    });
  });

  describe('indexes', () => {
    it('ensureIndexes is idempotent', async () => {
      const c = ctx.collection('idx');
      const specs: IndexSpec[] = [{ fields: { a: 1 } }, { fields: { a: 1, b: -1 } }, { fields: { code: 1 }, unique: true }];
      await ctx.store.ensureIndexes(c, specs);
      await ctx.store.ensureIndexes(c, specs);
      await ctx.given(c, [{ _id: 'x', a: 1, b: 2, code: 'X' }]);
      await ctx.store.ensureIndexes(c, specs);
      expect((await ctx.store.find(c, { a: 1 })).docs).toEqual([{ _id: 'x', a: 1, b: 2, code: 'X' }]);
    });

    it('a unique index refuses a second document with the same key: DuplicateKey', async () => {
      const c = ctx.collection('uniq');
      await ctx.store.ensureIndexes(c, [{ fields: { tenant: 1, code: 1 }, unique: true }]);
      await ctx.given(c, [{ _id: 'a', tenant: 't', code: 1 }, { _id: 'b', tenant: 'u', code: 1 }]);
      const error: unknown = await ctx.store.apply([{ op: 'replace', collection: c, id: 'c', doc: { tenant: 't', code: 1 } }]).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DuplicateKey);
      expect(error).toMatchObject({ collection: c });
    });

    it('declaring a unique index over duplicates is a DuplicateKey', async () => {
      const c = ctx.collection('uniq');
      await ctx.given(c, [{ _id: 'a', code: 1 }, { _id: 'b', code: 1 }]);
      await expect(ctx.store.ensureIndexes(c, [{ fields: { code: 1 }, unique: true }])).rejects.toBeInstanceOf(DuplicateKey);
    });

    it('refuses an index on an unsupported path', async () => {
      await expect(ctx.store.ensureIndexes(ctx.collection(), [{ fields: { 'a.$b': 1 } }])).rejects.toBeInstanceOf(InvalidQuery);
    });
  });
}
