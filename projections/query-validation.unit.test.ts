import { InvalidQuery, InvalidUpdate } from './errors';
import type { Filter } from './read-store';
import { resolveLimit, validateFilter, validateUpdate } from './query-validation';

describe('validateFilter', () => {
  it.each<[string, Filter]>([
    ['$elemMatch on element values', { scores: { $elemMatch: { $gte: 80, $lt: 85 } } }],
    ['$elemMatch on element fields with $or', { items: { $elemMatch: { v: 1, $or: [{ w: 2 }, { w: 3 }] } } }],
    ['$not with a RegExp', { s: { $not: /^a/ } }],
    ['a RegExp value', { s: /^a/i }],
    ['$nor and $all', { $nor: [{ a: 1 }], tags: { $all: ['x', 'y'] } }],
    ['an equality on an object', { o: { x: 1, y: [2] } }],
  ])('accepts %s', (_name, filter) => {
    expect(() => validateFilter(filter)).not.toThrow();
  });

  it.each<[string, unknown]>([
    ['an array', [{ a: 1 }]],
    ['$options without $regex', { s: { $options: 'i' } }],
    ['$options the engines disagree on', { s: { $regex: 'a', $options: 'x' } }],
    ['$not with a plain value', { s: { $not: 5 } }],
    ['an operator mixed with a field', { s: { $gt: 1, b: 2 } }],
    ['an empty path segment', { 'a..b': 1 }],
    ['a nesting too deep', JSON.parse(`${'{"$and":['.repeat(30)}{}${']}'.repeat(30)}`)],
  ])('refuses %s', (_name, filter) => {
    expect(() => validateFilter(filter)).toThrow(InvalidQuery);
  });
});

describe('validateUpdate', () => {
  it('refuses a write to the position field, which the guard owns', () => {
    expect(() => validateUpdate({ $set: { _position: 3 } })).toThrow(InvalidUpdate);
  });

  it('refuses $setOnInsert on a path another operator sets', () => {
    expect(() => validateUpdate({ $set: { a: 1 }, $setOnInsert: { 'a.b': 1 } })).toThrow(InvalidUpdate);
  });
});

describe('resolveLimit', () => {
  it('defaults to 100 and caps at 10,000', () => {
    expect(resolveLimit(undefined)).toBe(100);
    expect(resolveLimit(25_000)).toBe(10_000);
    expect(() => resolveLimit(-1)).toThrow(InvalidQuery);
  });
});
