import { Query } from 'mingo';
import { decodeCursor, encodeCursor, keysetFilter, normalizeSort, type SortKey } from './cursor';
import { compareKeyValues, keyValues } from './embedded/order';
import { InvalidCursor, InvalidQuery } from './errors';
import type { Document, JsonValue, Sort } from './read-store';

const docs: readonly Document[] = [
  { _id: 'a', v: 1, g: 'x' },
  { _id: 'b', v: 1, g: 'y' },
  { _id: 'c', v: null, g: 'x' },
  { _id: 'd', g: 'x' },
  { _id: 'e', v: 'str', g: null },
  { _id: 'f', v: 2.5 },
  { _id: 'g', v: true, g: 'x' },
  { _id: 'h', v: false, g: 'y' },
  { _id: 'i', v: { k: 1 }, g: 'x' },
  { _id: 'j', v: 'abc', g: 'y' },
  { _id: 'k', v: -4, g: 'x' },
  { _id: 'l', v: 1, g: 'x' },
];

function sorted(keys: readonly SortKey[]): Document[] {
  return [...docs].sort((a, b) => compareKeyValues(keys, keyValues(keys, a), keyValues(keys, b)));
}

describe('normalizeSort', () => {
  it('adds _id in the direction of the last key', () => {
    expect(normalizeSort({ a: 1, b: -1 })).toEqual([
      { field: 'a', dir: 1 },
      { field: 'b', dir: -1 },
      { field: '_id', dir: -1 },
    ]);
    expect(normalizeSort(undefined)).toEqual([{ field: '_id', dir: 1 }]);
  });

  it('stops at an explicit _id, which is unique', () => {
    expect(normalizeSort({ _id: -1, a: 1 })).toEqual([{ field: '_id', dir: -1 }]);
  });

  it('refuses bad directions and paths', () => {
    const bad: Sort = JSON.parse('{"a":0}');
    expect(() => normalizeSort(bad)).toThrow(InvalidQuery);
    expect(() => normalizeSort({ $a: 1 })).toThrow(InvalidQuery);
  });
});

describe('cursor encoding', () => {
  const keys = normalizeSort({ 'o.v': -1 });

  it('round-trips the sort values of a document', () => {
    const cursor = encodeCursor(keys, { _id: 'x', o: { v: [1, 'two'] } });
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(cursor, keys)).toEqual([[1, 'two'], 'x']);
  });

  it('reads a missing value as null', () => {
    expect(decodeCursor(encodeCursor(keys, { _id: 'x' }), keys)).toEqual([null, 'x']);
  });

  it.each(['', '!!!', 'e30', Buffer.from('[1,2]').toString('base64url'), Buffer.from('{"s":"o.v:-1,_id:-1","v":[1,2]}').toString('base64url')])(
    'refuses %j',
    (cursor) => {
      expect(() => decodeCursor(cursor, keys)).toThrow(InvalidCursor);
    },
  );

  it('refuses a cursor made for another sort', () => {
    const cursor = encodeCursor(keys, { _id: 'x' });
    expect(() => decodeCursor(cursor, normalizeSort({ 'o.v': 1 }))).toThrow(InvalidCursor);
  });
});

describe('keysetFilter (what the MongoDB adapter sends), evaluated by mingo', () => {
  // For every document of a mixed-type collection, the filter built from its sort values must
  // select exactly the documents that sort after it: MongoDB's $gt/$lt compare within one type
  // only, which is what the $type terms make up for.
  it.each<[Sort]>([[{ v: 1 }], [{ v: -1 }], [{ g: 1, v: -1 }], [{ g: -1, v: 1 }], [{ _id: -1 }]])('%j', (sort) => {
    const keys = normalizeSort(sort);
    const order = sorted(keys);
    order.forEach((doc, i) => {
      const values: JsonValue[] = keyValues(keys, doc);
      const query = new Query(keysetFilter(keys, values), {});
      const after = order.filter((d) => query.test(d)).map((d) => d._id);
      expect({ at: doc._id, after }).toEqual({ at: doc._id, after: order.slice(i + 1).map((d) => d._id) });
    });
  });

  it('is a filter no document meets when nothing can follow', () => {
    const keys = normalizeSort({ v: -1 });
    expect(new Query(keysetFilter(keys, [null, '']), {}).test({ _id: 'a' })).toBe(false);
  });
});
