import { applySimpleUpdate } from './update-fast';

function run(doc: Record<string, unknown>, update: Parameters<typeof applySimpleUpdate>[1], inserting = false) {
  const copy = structuredClone(doc);
  return { applied: applySimpleUpdate(copy, update, inserting), doc: copy };
}

describe('the fast update path', () => {
  it('applies counters, maxima, minima, sets and small sets as MongoDB does', () => {
    const { applied, doc } = run(
      { _id: 'a', n: 1, at: '2026-01-02', low: 5, tags: ['x'], nested: { k: 1 } },
      {
        $inc: { n: 2, 'counts.copied': 1, 'nested.k': -1 },
        $max: { at: '2026-01-01', top: 3 },
        $min: { low: 2 },
        $set: { 'nested.label': 'good', obj: { a: [1, 2] } },
        $addToSet: { tags: 'y', fresh: 'z' },
        $unset: { gone: true },
      },
    );
    expect(applied).toBe(true);
    expect(doc).toEqual({
      _id: 'a',
      n: 3,
      at: '2026-01-02',
      low: 2,
      top: 3,
      tags: ['x', 'y'],
      fresh: ['z'],
      nested: { k: 0, label: 'good' },
      counts: { copied: 1 },
      obj: { a: [1, 2] },
    });
    expect(run({ _id: 'a', tags: ['x'] }, { $addToSet: { tags: 'x' } }).doc).toEqual({ _id: 'a', tags: ['x'] });
  });

  it('applies $setOnInsert only when inserting', () => {
    expect(run({ _id: 'a' }, { $inc: { n: 1 }, $setOnInsert: { day: 'd' } }, true).doc).toEqual({ _id: 'a', n: 1, day: 'd' });
    expect(run({ _id: 'a', n: 1 }, { $inc: { n: 1 }, $setOnInsert: { day: 'd' } }, false).doc).toEqual({ _id: 'a', n: 2 });
  });

  it.each([
    ['$inc on a string', { s: 'x' }, { $inc: { s: 1 } }],
    ['$max across types', { v: 'x' }, { $max: { v: 3 } }],
    ['a path through a scalar', { a: 1 }, { $set: { 'a.b': 1 } }],
    ['an array index', { a: [1] }, { $set: { 'a.0': 2 } }],
    ['$each', { a: [] }, { $addToSet: { a: { $each: [1, 2] } } }],
    ['$push', { a: [] }, { $push: { a: 1 } }],
    ['overlapping paths', {}, { $set: { a: 1 }, $inc: { 'a.b': 1 } }],
    ['the same path twice', {}, { $set: { a: 1 }, $max: { a: 2 } }],
    ['$addToSet of an object', { a: [] }, { $addToSet: { a: { x: 1 } } }],
    ['a string beyond the BMP ordering', { s: 'a' }, { $max: { s: '\u{1F600}' } }],
  ])('leaves %s to mingo, untouched', (_name, doc, update) => {
    const before = structuredClone({ _id: 'a', ...doc });
    const result = run(before, update);
    expect(result.applied).toBe(false);
    expect(result.doc).toEqual(before);
  });
});
