/**
 * Keyset paging shared by the read-store adapters: the sort with its `_id` tiebreak, the opaque
 * cursor (the last document's sort values), and the "comes after the cursor" condition, as
 * structured clauses (the embedded adapter turns them into SQL) and as a MongoDB filter.
 */
import { InvalidCursor, InvalidQuery } from './errors';
import type { Document, JsonValue, Sort } from './read-store';
import { isJsonValue, isPlainObject } from './query-validation';

export interface SortKey {
  readonly field: string;
  readonly dir: 1 | -1;
}

/**
 * The requested keys, then `_id` in the direction of the last key, so every order is total and a
 * descending sort can walk an index `(field, _id)` backwards.
 */
export function normalizeSort(sort: Sort | undefined): readonly SortKey[] {
  const keys: SortKey[] = [];
  if (sort !== undefined && !isPlainObject(sort)) throw new InvalidQuery('sort must be an object');
  for (const [field, dir] of Object.entries(sort ?? {})) {
    if (dir !== 1 && dir !== -1) throw new InvalidQuery(`sort direction of ${field} must be 1 or -1`);
    if (field.length === 0 || field.split('.').some((s) => s.length === 0 || s.startsWith('$'))) {
      throw new InvalidQuery(`invalid sort field ${JSON.stringify(field)}`);
    }
    keys.push({ field, dir });
    // `_id` is unique: keys after it could never break a tie.
    if (field === '_id') return keys;
  }
  keys.push({ field: '_id', dir: keys[keys.length - 1]?.dir ?? 1 });
  return keys;
}

/** The value a dotted path names (array elements by numeric segment); missing reads as null. */
export function valueAt(doc: Readonly<Record<string, unknown>>, path: string): JsonValue {
  let current: unknown = doc;
  for (const segment of path.split('.')) {
    if (Array.isArray(current) && /^\d+$/.test(segment)) current = current[Number(segment)];
    else if (isPlainObject(current)) current = current[segment];
    else return null;
  }
  return current !== undefined && isJsonValue(current) ? current : null;
}

function signature(keys: readonly SortKey[]): string {
  return keys.map((k) => `${k.field}:${k.dir}`).join(',');
}

export function encodeCursor(keys: readonly SortKey[], doc: Document): string {
  const values = keys.map((k) => valueAt(doc, k.field));
  return Buffer.from(JSON.stringify({ s: signature(keys), v: values }), 'utf8').toString('base64url');
}

/** The sort values a cursor carries, one per key; InvalidCursor if it is not one of ours for this sort. */
export function decodeCursor(cursor: string, keys: readonly SortKey[]): readonly JsonValue[] {
  let parsed: unknown;
  try {
    if (!/^[A-Za-z0-9_-]+$/.test(cursor)) throw new Error('not base64url');
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCursor('malformed cursor');
  }
  if (!isPlainObject(parsed) || parsed['s'] !== signature(keys)) throw new InvalidCursor('the cursor belongs to another sort');
  const values = parsed['v'];
  if (!Array.isArray(values) || values.length !== keys.length || !isJsonValue(values)) throw new InvalidCursor('malformed cursor');
  if (typeof values[values.length - 1] !== 'string') throw new InvalidCursor('malformed cursor');
  return values;
}

export interface KeysetClause {
  /** Keys that tie with the cursor... */
  readonly equal: readonly { readonly field: string; readonly value: JsonValue }[];
  /** ...and the first one that comes strictly after it in its direction. */
  readonly beyond: { readonly field: string; readonly value: JsonValue; readonly dir: 1 | -1 };
}

/** "Comes after the cursor" as a disjunction: k1 > v1, or k1 = v1 and k2 > v2, … (per direction). */
export function keysetClauses(keys: readonly SortKey[], values: readonly JsonValue[]): readonly KeysetClause[] {
  const clauses: KeysetClause[] = [];
  keys.forEach((key, i) => {
    const value = values[i] ?? null;
    const equal = keys.slice(0, i).map((k, j) => ({ field: k.field, value: values[j] ?? null }));
    clauses.push({ equal, beyond: { field: key.field, value, dir: key.dir } });
  });
  return clauses;
}

/** MongoDB's sort order of the JSON types: null (and missing) < numbers < strings < objects < arrays < booleans. */
const TYPE_ORDER = ['null', 'number', 'string', 'object', 'array', 'bool'] as const;
type TypeName = (typeof TYPE_ORDER)[number];

export function typeName(value: JsonValue): TypeName {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  switch (typeof value) {
    case 'number':
      return 'number';
    case 'string':
      return 'string';
    case 'boolean':
      return 'bool';
    default:
      return 'object';
  }
}

/**
 * `field` sorts strictly after `value` in direction `dir`. MongoDB's `$gt`/`$lt` only compare
 * within one type, so values of the types that sort later (or earlier) are added by `$type`;
 * without that, paging over a field that is sometimes null or mixed would skip documents.
 * Returns null when nothing can come after.
 */
function beyondFilter(field: string, value: JsonValue, dir: 1 | -1): Record<string, unknown> | null {
  const type = typeName(value);
  const rank = TYPE_ORDER.indexOf(type);
  const parts: Record<string, unknown>[] = [];
  if (dir === 1) {
    if (type === 'null') return { [field]: { $ne: null } };
    if (type !== 'bool') parts.push({ [field]: { $gt: value } });
    else if (value === false) parts.push({ [field]: true });
    const later = TYPE_ORDER.slice(rank + 1);
    if (later.length > 0) parts.push({ [field]: { $type: [...later] } });
  } else {
    if (type === 'null') return null;
    if (type !== 'bool') parts.push({ [field]: { $lt: value } });
    else if (value === true) parts.push({ [field]: false });
    const earlier = TYPE_ORDER.slice(1, rank);
    if (earlier.length > 0) parts.push({ [field]: { $type: [...earlier] } });
    parts.push({ [field]: null });
  }
  if (parts.length === 0) return null;
  return parts.length === 1 && parts[0] ? parts[0] : { $or: parts };
}

/** The keyset condition as a MongoDB filter, to be `$and`-ed with the caller's filter. */
export function keysetFilter(keys: readonly SortKey[], values: readonly JsonValue[]): Record<string, unknown> {
  const disjuncts: Record<string, unknown>[] = [];
  for (const clause of keysetClauses(keys, values)) {
    const beyond = beyondFilter(clause.beyond.field, clause.beyond.value, clause.beyond.dir);
    if (!beyond) continue;
    const equal = clause.equal.map((e) => ({ [e.field]: { $eq: e.value } }));
    disjuncts.push(equal.length === 0 ? beyond : { $and: [...equal, beyond] });
  }
  // Nothing sorts after the cursor: a condition no document meets.
  if (disjuncts.length === 0) return { _id: { $in: [] } };
  return disjuncts.length === 1 && disjuncts[0] ? disjuncts[0] : { $or: disjuncts };
}
