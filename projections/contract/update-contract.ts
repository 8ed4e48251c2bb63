/** The update operators, as MongoDB applies them; part of the ReadStore contract. */
import { InvalidUpdate } from '../errors';
import type { Document, JsonValue, UpdateOperators } from '../read-store';
import type { ContractContext } from './read-store-contract';

interface Case {
  readonly name: string;
  readonly given: Record<string, JsonValue> | null;
  readonly update: UpdateOperators;
  readonly then: Record<string, JsonValue>;
}

const cases: readonly Case[] = [
  { name: '$set a field, a dotted path and an array element', given: { a: 1, list: [1, 2] }, update: { $set: { a: 2, 'b.c.d': 'deep', 'list.1': 9 } }, then: { a: 2, b: { c: { d: 'deep' } }, list: [1, 9] } },
  { name: '$set a whole object', given: { o: { x: 1 } }, update: { $set: { o: { y: [1, { z: null }] } } }, then: { o: { y: [1, { z: null }] } } },
  { name: '$unset a field and a dotted path; a missing one is ignored', given: { a: 1, o: { x: 1, y: 2 } }, update: { $unset: { a: '', 'o.x': 1, nope: true } }, then: { o: { y: 2 } } },
  { name: '$inc an existing and a missing field', given: { n: 1.5 }, update: { $inc: { n: 2, m: -3, 'o.k': 1 } }, then: { n: 3.5, m: -3, o: { k: 1 } } },
  { name: '$push one value', given: { l: [1] }, update: { $push: { l: 2, fresh: 'x' } }, then: { l: [1, 2], fresh: ['x'] } },
  { name: '$push an array as one element', given: { l: [1] }, update: { $push: { l: [2, 3] } }, then: { l: [1, [2, 3]] } },
  { name: '$push $each', given: { l: [1] }, update: { $push: { l: { $each: [2, 3] } } }, then: { l: [1, 2, 3] } },
  { name: '$push $each with a negative $slice keeps the last n', given: { l: [1, 2, 3] }, update: { $push: { l: { $each: [4, 5], $slice: -3 } } }, then: { l: [3, 4, 5] } },
  { name: '$push $each with a positive $slice keeps the first n', given: { l: [1, 2, 3] }, update: { $push: { l: { $each: [4], $slice: 2 } } }, then: { l: [1, 2] } },
  { name: '$push $each $slice onto a missing field', given: {}, update: { $push: { l: { $each: [1, 2, 3], $slice: -2 }, z: { $each: [1], $slice: 0 } } }, then: { l: [2, 3], z: [] } },
  { name: '$addToSet adds only what is absent (objects by value)', given: { s: [1, { k: 'v' }] }, update: { $addToSet: { s: { k: 'v' } } }, then: { s: [1, { k: 'v' }] } },
  { name: '$addToSet $each skips duplicates, also among the new values', given: { s: ['a'] }, update: { $addToSet: { s: { $each: ['a', 'b', 'b', 'c'] } } }, then: { s: ['a', 'b', 'c'] } },
  { name: '$addToSet $each onto a missing field', given: {}, update: { $addToSet: { s: { $each: [2, 2, 1] }, t: 'x' } }, then: { s: [2, 1], t: ['x'] } },
  { name: '$min and $max on numbers', given: { lo: 5, hi: 5 }, update: { $min: { lo: 3, newLo: 1 }, $max: { hi: 4, newHi: 9 } }, then: { lo: 3, hi: 5, newLo: 1, newHi: 9 } },
  {
    name: '$min and $max on ISO timestamps',
    given: { first: '2024-05-01T00:00:00Z', last: '2024-05-01T00:00:00Z' },
    update: { $min: { first: '2024-04-01T00:00:00Z' }, $max: { last: '2024-04-01T00:00:00Z' } },
    then: { first: '2024-04-01T00:00:00Z', last: '2024-05-01T00:00:00Z' },
  },
  { name: 'several operators at once', given: { n: 1, tags: ['a'] }, update: { $inc: { n: 1 }, $addToSet: { tags: 'b' }, $set: { seen: true } }, then: { n: 2, tags: ['a', 'b'], seen: true } },
];

const invalid: readonly { readonly name: string; readonly given: Record<string, JsonValue>; readonly update: unknown }[] = [
  { name: 'an empty update', given: {}, update: {} },
  { name: 'an unsupported operator', given: {}, update: { $rename: { a: 'b' } } },
  { name: 'a non-operator key', given: {}, update: { a: 1 } },
  { name: 'an update of _id', given: {}, update: { $set: { _id: 'other' } } },
  { name: 'two operators on one path', given: {}, update: { $set: { a: 1 }, $inc: { a: 1 } } },
  { name: 'a path and its parent', given: {}, update: { $set: { a: {}, 'a.b': 1 } } },
  { name: '$inc with a non-number', given: {}, update: { $inc: { a: 'x' } } },
  { name: '$inc of a string field', given: { a: 'x' }, update: { $inc: { a: 1 } } },
  { name: '$push onto a non-array', given: { a: 1 }, update: { $push: { a: 2 } } },
  { name: '$addToSet onto a non-array', given: { a: 'x' }, update: { $addToSet: { a: 'y' } } },
  { name: '$set below a scalar', given: { a: 1 }, update: { $set: { 'a.b': 1 } } },
  { name: '$push with an unsupported modifier', given: { l: [] }, update: { $push: { l: { $each: [1], $sort: 1 } } } },
];

/** Untyped JSON, as it could arrive from the wire: the store has to refuse it on its own. */
function fromWire(value: unknown): UpdateOperators {
  return JSON.parse(JSON.stringify(value));
}

export function describeUpdateContract(ctx: ContractContext): void {
  describe('update operators', () => {
    it.each(cases)('$name', async ({ given, update, then }) => {
      const c = ctx.collection('upd');
      if (given) await ctx.given(c, [{ _id: 'd', ...given }]);
      await ctx.store.apply([{ op: 'update', collection: c, id: 'd', update, upsert: true }]);
      expect(await ctx.store.findById<Document>(c, 'd')).toEqual({ _id: 'd', ...then });
    });

    it.each(invalid)('refuses $name with InvalidUpdate and leaves the document alone', async ({ given, update }) => {
      const c = ctx.collection('bad');
      await ctx.given(c, [{ _id: 'd', ...given }]);
      await expect(ctx.store.apply([{ op: 'update', collection: c, id: 'd', update: fromWire(update), upsert: true }])).rejects.toBeInstanceOf(InvalidUpdate);
      expect(await ctx.store.findById(c, 'd')).toEqual({ _id: 'd', ...given });
    });

    it('refuses a replacement that changes _id', async () => {
      const c = ctx.collection('bad');
      await expect(ctx.store.apply([{ op: 'replace', collection: c, id: 'a', doc: { _id: 'b' } }])).rejects.toBeInstanceOf(InvalidUpdate);
    });
  });
}
