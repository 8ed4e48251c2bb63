/**
 * Which part of a find the embedded store hands to SQLite. The rule that keeps it correct:
 * SQL only narrows; mingo still tests every row against the whole filter. So a pushed predicate
 * must match a superset of what MongoDB matches, and it is pushed only on indexed paths whose
 * values have never been arrays ("multikey"), where `json_extract` sees the same scalar MongoDB
 * compares. An ORDER BY is pushed only when every sort path has only ever held null, numbers or
 * strings, where SQLite's order (NULL < numbers < text, BINARY) is MongoDB's.
 */
import type { KeysetClause, SortKey } from '../cursor';
import { keysetClauses } from '../cursor';
import { isPlainObject } from '../query-validation';
import type { JsonValue } from '../read-store';

export interface FieldInfo {
  /** An array was seen somewhere along the path. */
  readonly multikey: boolean;
  /** A boolean or an object was seen at the path: SQLite would order it among numbers or strings. */
  readonly mixed: boolean;
}

export type SqlParam = string | number;

export interface Fragment {
  readonly sql: string;
  readonly params: readonly SqlParam[];
}

export interface SqlPlan {
  readonly where: readonly Fragment[];
  /**
   * SQLite returns the rows in the requested order (then the cursor condition is in `where` too);
   * otherwise the caller sorts in memory and applies the cursor itself.
   */
  readonly sorted: boolean;
  /** The ORDER BY terms when sorted; empty when equalities leave nothing to order. */
  readonly orderBy: string;
}

export interface PlanInput {
  readonly filter: Readonly<Record<string, unknown>>;
  /** Indexed paths and what has been seen in them. */
  readonly fields: ReadonlyMap<string, FieldInfo>;
  /** The sort to push down, or null when the caller needs no order (count). */
  readonly keys: readonly SortKey[] | null;
  readonly after: readonly JsonValue[] | null;
}

/** Strings whose order is the same in UTF-16 (mingo) and in UTF-8 bytes (SQLite). */
const SAFE_RANGE_STRING = /^[^\ud800-\uffff]*$/;
const MAX_IN_LIST = 500;
const RANGE_OPS: Readonly<Record<string, string>> = { $gt: '>', $gte: '>=', $lt: '<', $lte: '<=' };

export function columnExpr(path: string): string {
  // Index paths are validated identifiers, so inlining them is safe, and it has to be inlined:
  // SQLite matches an expression index only against the identical expression.
  return path === '_id' ? 'id' : `json_extract(doc, '$.${path}')`;
}

function scalarParam(value: unknown): SqlParam | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  // json_extract yields 1/0 for true/false: a superset (numbers 1 and 0 match too), and mingo re-checks.
  if (typeof value === 'boolean') return value ? 1 : 0;
  return undefined;
}

class Builder {
  readonly where: Fragment[] = [];
  /** Paths pinned to one value by an equality: their ORDER BY term is redundant. */
  readonly pinned = new Set<string>();

  constructor(private readonly fields: ReadonlyMap<string, FieldInfo>) {}

  pushable(path: string): boolean {
    if (path === '_id') return true;
    const info = this.fields.get(path);
    return info !== undefined && !info.multikey;
  }

  filter(filter: Readonly<Record<string, unknown>>): void {
    for (const [key, value] of Object.entries(filter)) {
      if (key === '$and' && Array.isArray(value)) {
        for (const clause of value) if (isPlainObject(clause)) this.filter(clause);
      } else if (!key.startsWith('$') && this.pushable(key)) {
        this.condition(key, value);
      }
    }
  }

  private condition(path: string, value: unknown): void {
    const isOperators = isPlainObject(value) && Object.keys(value).some((k) => k.startsWith('$'));
    if (!isOperators) {
      this.equal(path, value);
      return;
    }
    for (const [op, arg] of Object.entries(value)) {
      if (op === '$eq') this.equal(path, arg);
      else if (op === '$in' && Array.isArray(arg)) this.in(path, arg);
      else if (RANGE_OPS[op]) this.range(path, RANGE_OPS[op] ?? '=', arg);
    }
  }

  private equal(path: string, value: unknown): void {
    const e = columnExpr(path);
    if (path === '_id') {
      if (typeof value === 'string') this.add(`id = ?`, [value], path);
      return;
    }
    if (value === null) this.add(`${e} IS NULL`, [], path);
    const param = scalarParam(value);
    if (param !== undefined) this.add(`${e} = ?`, [param], path);
  }

  private in(path: string, values: readonly unknown[]): void {
    if (values.length > MAX_IN_LIST) return;
    const params: SqlParam[] = [];
    for (const v of values) {
      const param = path === '_id' && typeof v !== 'string' ? undefined : scalarParam(v);
      if (param === undefined) return;
      params.push(param);
    }
    if (params.length === 0) this.add('0', []);
    else this.add(`${columnExpr(path)} IN (${params.map(() => '?').join(', ')})`, params);
  }

  private range(path: string, sqlOp: string, value: unknown): void {
    const e = columnExpr(path);
    if (typeof value === 'number' && Number.isFinite(value) && path !== '_id') {
      // MongoDB compares numbers only with numbers; in SQLite every number is below '' (any text).
      this.add(`${e} ${sqlOp} ?`, [value]);
      if (sqlOp.startsWith('>')) this.add(`${e} < ''`, []);
    } else if (typeof value === 'string' && SAFE_RANGE_STRING.test(value)) {
      this.add(`${e} ${sqlOp} ?`, [value]);
      if (sqlOp.startsWith('<') && path !== '_id') this.add(`${e} >= ''`, []);
    }
  }

  add(sql: string, params: readonly SqlParam[], pinned?: string): void {
    this.where.push({ sql, params });
    if (pinned !== undefined) this.pinned.add(pinned);
  }
}

function sortable(path: string, fields: ReadonlyMap<string, FieldInfo>): boolean {
  if (path === '_id') return true;
  const info = fields.get(path);
  return info !== undefined && !info.multikey && !info.mixed;
}

function equalSql(field: string, value: JsonValue): Fragment | null {
  if (value === null) return field === '_id' ? null : { sql: `${columnExpr(field)} IS NULL`, params: [] };
  const param = scalarParam(value);
  return param === undefined || typeof value === 'boolean' ? null : { sql: `${columnExpr(field)} = ?`, params: [param] };
}

/** The keyset clauses in SQL; null when a value is not one SQLite orders like MongoDB. */
export function keysetSql(clauses: readonly KeysetClause[]): Fragment | null {
  const parts: Fragment[] = [];
  for (const clause of clauses) {
    const conds: Fragment[] = [];
    for (const e of clause.equal) {
      const f = equalSql(e.field, e.value);
      if (!f) return null;
      conds.push(f);
    }
    const { field, value, dir } = clause.beyond;
    const e = columnExpr(field);
    if (value === null) {
      if (field === '_id') return null;
      // NULL sorts first: everything else is after it ascending, nothing is descending.
      if (dir === 1) conds.push({ sql: `${e} IS NOT NULL`, params: [] });
      else continue;
    } else {
      if (typeof value !== 'string' && typeof value !== 'number') return null;
      if (dir === 1) conds.push({ sql: `${e} > ?`, params: [value] });
      else conds.push({ sql: field === '_id' ? `${e} < ?` : `(${e} < ? OR ${e} IS NULL)`, params: [value] });
    }
    parts.push({ sql: conds.map((c) => c.sql).join(' AND '), params: conds.flatMap((c) => c.params) });
  }
  if (parts.length === 0) return { sql: '0', params: [] };
  return { sql: `(${parts.map((p) => `(${p.sql})`).join(' OR ')})`, params: parts.flatMap((p) => p.params) };
}

export function plan(input: PlanInput): SqlPlan {
  const builder = new Builder(input.fields);
  builder.filter(input.filter);
  const { keys, after } = input;
  if (!keys || !keys.every((k) => sortable(k.field, input.fields))) {
    return { where: builder.where, sorted: false, orderBy: '' };
  }
  if (after !== null) {
    const keyset = keysetSql(keysetClauses(keys, after));
    if (!keyset) return { where: builder.where, sorted: false, orderBy: '' };
    builder.add(keyset.sql, keyset.params);
    const first = keys[0];
    const v = after[0];
    // A redundant lower bound on the leading key turns the disjunction into an index range.
    if (first && first.dir === 1 && (typeof v === 'string' || typeof v === 'number')) {
      builder.add(`${columnExpr(first.field)} >= ?`, [v]);
    }
  }
  const terms = keys.filter((k) => !builder.pinned.has(k.field)).map((k) => `${columnExpr(k.field)} ${k.dir === 1 ? 'ASC' : 'DESC'}`);
  return { where: builder.where, sorted: true, orderBy: terms.join(', ') };
}
