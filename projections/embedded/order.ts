/**
 * MongoDB's sort order for JSON values, for the sorts the embedded store cannot hand to SQLite.
 * Strings compare by code point, which is UTF-8 byte order: what MongoDB (simple collation)
 * and SQLite's BINARY collation do, so a page sorted here and one sorted by SQLite agree.
 */
import type { SortKey } from '../cursor';
import { typeName, valueAt } from '../cursor';
import type { JsonValue } from '../read-store';

const RANK = { null: 1, number: 2, string: 3, object: 4, array: 5, bool: 8 } as const;

function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  for (;;) {
    const ca = ia.next();
    const cb = ib.next();
    if (ca.done) return cb.done ? 0 : -1;
    if (cb.done) return 1;
    const d = (ca.value.codePointAt(0) ?? 0) - (cb.value.codePointAt(0) ?? 0);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
}

export function compareValues(a: JsonValue, b: JsonValue): number {
  const ta = typeName(a);
  const tb = typeName(b);
  if (ta !== tb) return RANK[ta] < RANK[tb] ? -1 : 1;
  if (typeof a === 'number' && typeof b === 'number') return a === b ? 0 : a < b ? -1 : 1;
  if (typeof a === 'string' && typeof b === 'string') return compareStrings(a, b);
  if (typeof a === 'boolean' && typeof b === 'boolean') return a === b ? 0 : a ? 1 : -1;
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      const d = compareValues(a[i] ?? null, b[i] ?? null);
      if (d !== 0) return d;
    }
    return Math.sign(a.length - b.length);
  }
  if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    // Element by element: the value's type, then the field name, then the value, as BSON documents compare.
    const ea = Object.entries(a);
    const eb = Object.entries(b);
    for (let i = 0; i < Math.min(ea.length, eb.length); i++) {
      const [ka, va] = ea[i] ?? ['', null];
      const [kb, vb] = eb[i] ?? ['', null];
      const byType = Math.sign(RANK[typeName(va ?? null)] - RANK[typeName(vb ?? null)]);
      const d = byType || compareStrings(ka, kb) || compareValues(va ?? null, vb ?? null);
      if (d !== 0) return d;
    }
    return Math.sign(ea.length - eb.length);
  }
  return 0;
}

/** An empty array sorts before null in MongoDB. */
const EMPTY_ARRAY = Symbol('empty array');

/** The value a sort key compares: an array sorts by its smallest element ascending, largest descending. */
export function sortValue(value: JsonValue, dir: 1 | -1): JsonValue | typeof EMPTY_ARRAY {
  if (!Array.isArray(value)) return value;
  if (value.length === 0) return EMPTY_ARRAY;
  let best: JsonValue = value[0] ?? null;
  for (const v of value) if (compareValues(v, best) * dir < 0) best = v;
  return best;
}

function compareSortValues(a: JsonValue | typeof EMPTY_ARRAY, b: JsonValue | typeof EMPTY_ARRAY): number {
  if (a === EMPTY_ARRAY || b === EMPTY_ARRAY) return a === b ? 0 : a === EMPTY_ARRAY ? -1 : 1;
  return compareValues(a, b);
}

/** Compares two documents' values for `keys` (values as `valueAt` reads them), honouring directions. */
export function compareKeyValues(keys: readonly SortKey[], a: readonly JsonValue[], b: readonly JsonValue[]): number {
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    if (!key) continue;
    const d = compareSortValues(sortValue(a[i] ?? null, key.dir), sortValue(b[i] ?? null, key.dir));
    if (d !== 0) return d * key.dir;
  }
  return 0;
}

export function keyValues(keys: readonly SortKey[], doc: Readonly<Record<string, unknown>>): JsonValue[] {
  return keys.map((k) => valueAt(doc, k.field));
}
