/**
 * The embedded read store's SQLite layout: one table per collection (`id`, `doc` as JSON text),
 * expression indexes on `json_extract(doc, '$.path')`, and two tables of its own: checkpoints,
 * and what has been seen in each indexed path (the planner's licence to push a predicate down).
 */
import type Database from 'better-sqlite3';
import { isPlainObject, isRecord } from '../query-validation';
import type { IndexSpec } from '../read-store';
import { columnExpr, type FieldInfo } from './planner';

export const CHECKPOINTS_TABLE = 'read_store_checkpoints';
export const FIELDS_TABLE = 'read_store_fields';

export const SCHEMA = `
  CREATE TABLE IF NOT EXISTS ${CHECKPOINTS_TABLE} (name TEXT PRIMARY KEY NOT NULL, position INTEGER NOT NULL);
  CREATE TABLE IF NOT EXISTS ${FIELDS_TABLE} (
    collection TEXT NOT NULL,
    path TEXT NOT NULL,
    multikey INTEGER NOT NULL,
    mixed INTEGER NOT NULL,
    PRIMARY KEY (collection, path)
  );
`;

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Collection names are validated (`[A-Za-z0-9_.-]`), and the prefix keeps them clear of ours. */
export function tableName(collection: string): string {
  return `c_${collection}`;
}

export function indexName(collection: string, spec: IndexSpec): string {
  const fields = Object.entries(spec.fields).map(([path, dir]) => `${path}_${dir === 1 ? 'a' : 'd'}`);
  return `ix_${collection}__${fields.join('__')}${spec.unique ? '__u' : ''}`;
}

/**
 * A non-unique index ends with `id` in the direction of its last field, so that the sort the
 * store uses (the fields, then `_id` in the last key's direction) reads straight off the index.
 */
export function createIndexSql(collection: string, spec: IndexSpec): string {
  const entries = Object.entries(spec.fields);
  const terms = entries.map(([path, dir]) => `${columnExpr(path)} ${dir === 1 ? 'ASC' : 'DESC'}`);
  const lastDir = entries[entries.length - 1]?.[1] ?? 1;
  if (!spec.unique && !('_id' in spec.fields)) terms.push(`id ${lastDir === 1 ? 'ASC' : 'DESC'}`);
  const unique = spec.unique ? 'UNIQUE ' : '';
  const name = quoteIdent(indexName(collection, spec));
  return `CREATE ${unique}INDEX IF NOT EXISTS ${name} ON ${quoteIdent(tableName(collection))} (${terms.join(', ')})`;
}

export interface MutableFieldInfo {
  multikey: boolean;
  mixed: boolean;
}

interface FieldRow {
  readonly path: string;
  readonly multikey: number;
  readonly mixed: number;
}

function isFieldRow(row: unknown): row is FieldRow {
  return isRecord(row) && typeof row['path'] === 'string' && typeof row['multikey'] === 'number' && typeof row['mixed'] === 'number';
}

export function loadFields(db: Database.Database, collection: string): Map<string, MutableFieldInfo> {
  const rows = db.prepare(`SELECT path, multikey, mixed FROM ${FIELDS_TABLE} WHERE collection = ?`).all(collection);
  const fields = new Map<string, MutableFieldInfo>();
  for (const row of rows) if (isFieldRow(row)) fields.set(row.path, { multikey: row.multikey !== 0, mixed: row.mixed !== 0 });
  return fields;
}

/** What the documents already in the table hold at `path`, for an index declared late. */
export function scanField(db: Database.Database, collection: string, path: string): FieldInfo {
  const segments = path.split('.');
  const prefixes = segments.map((_, i) => `json_type(doc, '$.${segments.slice(0, i + 1).join('.')}') = 'array'`);
  const table = quoteIdent(tableName(collection));
  const row = db
    .prepare(
      `SELECT EXISTS(SELECT 1 FROM ${table} WHERE ${prefixes.join(' OR ')}) AS multikey,
              EXISTS(SELECT 1 FROM ${table} WHERE json_type(doc, '$.${path}') IN ('true', 'false', 'object')) AS mixed`,
    )
    .get();
  return { multikey: isRecord(row) && row['multikey'] === 1, mixed: isRecord(row) && row['mixed'] === 1 };
}

export function saveField(db: Database.Database, collection: string, path: string, info: FieldInfo): void {
  db.prepare(
    `INSERT INTO ${FIELDS_TABLE} (collection, path, multikey, mixed) VALUES (?, ?, ?, ?)
     ON CONFLICT (collection, path) DO UPDATE SET multikey = max(multikey, excluded.multikey), mixed = max(mixed, excluded.mixed)`,
  ).run(collection, path, info.multikey ? 1 : 0, info.mixed ? 1 : 0);
}

/** What one document holds at `path`, in the planner's terms. */
export function observe(doc: Readonly<Record<string, unknown>>, path: string): FieldInfo {
  let current: unknown = doc;
  for (const segment of path.split('.')) {
    if (Array.isArray(current)) return { multikey: true, mixed: false };
    if (!isPlainObject(current)) return { multikey: false, mixed: false };
    current = current[segment];
  }
  if (Array.isArray(current)) return { multikey: true, mixed: false };
  return { multikey: false, mixed: typeof current === 'boolean' || isPlainObject(current) };
}

/**
 * Records what a written document adds to the collection's indexed paths. Flags only ever go up
 * (like MongoDB's multikey flag), until the collection is dropped.
 */
export function recordDocument(
  db: Database.Database,
  collection: string,
  fields: Map<string, MutableFieldInfo>,
  doc: Readonly<Record<string, unknown>>,
): void {
  for (const [path, info] of fields) {
    const seen = observe(doc, path);
    if ((seen.multikey && !info.multikey) || (seen.mixed && !info.mixed)) {
      info.multikey ||= seen.multikey;
      info.mixed ||= seen.mixed;
      saveField(db, collection, path, info);
    }
  }
}
