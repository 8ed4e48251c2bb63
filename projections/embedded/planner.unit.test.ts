import { normalizeSort } from '../cursor';
import { plan, type FieldInfo } from './planner';

const plain: FieldInfo = { multikey: false, mixed: false };
const fields = new Map<string, FieldInfo>([
  ['w', plain],
  ['at', plain],
  ['n', plain],
  ['tags', { multikey: true, mixed: false }],
  ['flag', { multikey: false, mixed: true }],
]);

function where(filter: Record<string, unknown>): string[] {
  return plan({ filter, fields, keys: null, after: null }).where.map((w) => w.sql);
}

const W = "json_extract(doc, '$.w')";
const N = "json_extract(doc, '$.n')";

describe('the planner', () => {
  it('pushes equality, ranges and $in on indexed paths, bracketed by type', () => {
    expect(where({ w: 'x', n: { $gt: 1, $lte: 9 } })).toEqual([`${W} = ?`, `${N} > ?`, `${N} < ''`, `${N} <= ?`]);
    expect(where({ w: { $lt: 'm' } })).toEqual([`${W} < ?`, `${W} >= ''`]);
    expect(where({ w: { $in: ['a', 'b'] } })).toEqual([`${W} IN (?, ?)`]);
    expect(where({ w: null })).toEqual([`${W} IS NULL`]);
    expect(where({ $and: [{ w: 'x' }, { n: 2 }] })).toEqual([`${W} = ?`, `${N} = ?`]);
    expect(where({ _id: { $in: ['a'] } })).toEqual(['id IN (?)']);
  });

  it('leaves to mingo what SQL cannot answer the way MongoDB does', () => {
    expect(where({ tags: 'x' })).toEqual([]); // arrays were seen: membership
    expect(where({ other: 1 })).toEqual([]); // not indexed
    expect(where({ w: { $in: ['a', null] } })).toEqual([]);
    expect(where({ w: { $ne: 'x' }, n: { $exists: true } })).toEqual([]);
    expect(where({ w: { a: 1 } })).toEqual([]);
    expect(where({ $or: [{ w: 'x' }, { n: 1 }] })).toEqual([]);
    expect(where({ w: { $gt: '\uffff' } })).toEqual([]); // UTF-16 and UTF-8 orders differ here
    expect(where({ w: { $gt: [1] } })).toEqual([]);
  });

  it('pushes booleans as 1/0, a superset mingo narrows', () => {
    expect(plan({ filter: { flag: true }, fields, keys: null, after: null }).where).toEqual([
      { sql: "json_extract(doc, '$.flag') = ?", params: [1] },
    ]);
  });

  it('orders in SQL only by paths that never held arrays, booleans or objects', () => {
    expect(plan({ filter: {}, fields, keys: normalizeSort({ at: -1 }), after: null })).toMatchObject({
      sorted: true,
      orderBy: "json_extract(doc, '$.at') DESC, id DESC",
    });
    expect(plan({ filter: {}, fields, keys: normalizeSort({ flag: 1 }), after: null }).sorted).toBe(false);
    expect(plan({ filter: {}, fields, keys: normalizeSort({ tags: 1 }), after: null }).sorted).toBe(false);
    expect(plan({ filter: {}, fields, keys: normalizeSort({ other: 1 }), after: null }).sorted).toBe(false);
  });

  it('drops ORDER BY terms an equality pins, so the index order is used', () => {
    expect(plan({ filter: { w: 'x' }, fields, keys: normalizeSort({ w: 1, at: -1 }), after: null }).orderBy).toBe(
      "json_extract(doc, '$.at') DESC, id DESC",
    );
  });

  it('turns the cursor into a keyset condition, with NULL sorting first', () => {
    const p = plan({ filter: {}, fields, keys: normalizeSort({ at: -1 }), after: ['2025', 'i9'] });
    expect(p.where).toEqual([
      {
        sql: `((${"(json_extract(doc, '$.at') < ? OR json_extract(doc, '$.at') IS NULL)"}) OR (json_extract(doc, '$.at') = ? AND id < ?))`,
        params: ['2025', '2025', 'i9'],
      },
    ]);
    const asc = plan({ filter: {}, fields, keys: normalizeSort({ at: 1 }), after: [null, 'i9'] });
    expect(asc.where[0]?.sql).toBe("((json_extract(doc, '$.at') IS NOT NULL) OR (json_extract(doc, '$.at') IS NULL AND id > ?))");
  });

  it('falls back to sorting in memory when a cursor value is not one SQL orders like MongoDB', () => {
    expect(plan({ filter: {}, fields, keys: normalizeSort({ at: 1 }), after: [true, 'i9'] }).sorted).toBe(false);
  });
});
