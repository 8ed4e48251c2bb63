import { normalizeSort } from '../cursor';
import type { JsonValue } from '../read-store';
import { compareKeyValues, compareValues } from './order';

describe('MongoDB sort order', () => {
  it('orders types: null < numbers < strings < objects < arrays < booleans', () => {
    const values: JsonValue[] = [true, [1], { a: 1 }, 'a', 2, null, false];
    expect([...values].sort(compareValues)).toEqual([null, 2, 'a', { a: 1 }, [1], false, true]);
  });

  it('compares strings by code point (UTF-8 byte order), like SQLite and MongoDB', () => {
    expect(compareValues('\uffff', '😀')).toBe(-1);
    expect(compareValues('B', 'a')).toBe(-1);
    expect(compareValues('ab', 'a')).toBe(1);
  });

  it('sorts an array by its smallest element ascending and its largest descending', () => {
    const asc = normalizeSort({ v: 1 });
    const desc = normalizeSort({ v: -1 });
    expect(compareKeyValues(asc, [[5, 0], 'a'], [2, 'b'])).toBe(-1);
    expect(compareKeyValues(desc, [[5, 0], 'a'], [2, 'b'])).toBe(-1);
    expect(compareKeyValues(asc, [[], 'a'], [null, 'b'])).toBe(-1);
  });
});
