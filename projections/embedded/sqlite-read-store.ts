/**
 * The embedded ReadStore: documents as JSON in SQLite (WAL, synchronous=NORMAL), MongoDB filter and
 * update semantics from mingo, and a planner that hands the indexable part of a find to SQLite
 * so an indexed lookup reads only the rows it needs.
 */
import Database from 'better-sqlite3';
import { Query } from 'mingo';
import type { SortKey } from '../cursor';
import { decodeCursor, encodeCursor, normalizeSort } from '../cursor';
import { DuplicateKey, InvalidQuery, ReadStoreClosed, ReadStoreError, ReadStoreUnavailable } from '../errors';
import {
  isPlainObject, isRecord, queryError, resolveLimit, updateError, validateCollectionName, validateFilter,
  validateIndexSpecs, validateOperation, validatePosition,
} from '../query-validation';
import type {
  ApplyOptions, Document, DocumentOperation, Filter, FindOptions, FindPage, IndexSpec, JsonValue, ReadStore,
} from '../read-store';
import { POSITION_FIELD } from '../read-store';
import { compareKeyValues, keyValues } from './order';
import { plan, type SqlParam } from './planner';
import {
  CHECKPOINTS_TABLE, FIELDS_TABLE, SCHEMA, createIndexSql, loadFields, quoteIdent, recordDocument, saveField, scanField,
  tableName, type MutableFieldInfo,
} from './schema';
import { applyUpdate, type StoredDoc } from './update';

export interface SqliteReadStoreOptions {
  /** A file path, or `:memory:`. */
  readonly path: string;
}

/** What the last find or count did, for tests and diagnostics. */
export interface QueryStats {
  readonly sql: string;
  /** Rows SQLite handed back (each one parsed and tested by mingo). */
  readonly rowsExamined: number;
  /** SQLite produced the order (and applied the cursor); otherwise the rows were sorted in memory. */
  readonly sorted: boolean;
}

interface Compiled {
  readonly sql: string;
  readonly params: readonly SqlParam[];
  readonly sorted: boolean;
  readonly keys: readonly SortKey[];
  readonly after: readonly JsonValue[] | null;
  readonly limit: number;
  readonly test: (doc: Document) => boolean;
}

const UNAVAILABLE = /^SQLITE_(BUSY|LOCKED|IOERR|FULL|CANTOPEN|READONLY|CORRUPT|NOTADB|PROTOCOL)/;

/**
 * The SQLite result code of a better-sqlite3 error. Read structurally: the native addon keeps the
 * first `SqliteError` class it was given per process, so `instanceof` fails whenever the module
 * was loaded again (jest gives each test file its own module registry).
 */
function sqliteCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  return typeof error.code === 'string' && error.code.startsWith('SQLITE_') ? error.code : undefined;
}

function isStoredDoc(value: unknown): value is StoredDoc {
  return isPlainObject(value) && typeof value['_id'] === 'string';
}

function isDocument(value: unknown): value is Document {
  return isStoredDoc(value);
}

function parseStored(text: unknown): StoredDoc {
  const parsed: unknown = typeof text === 'string' ? JSON.parse(text) : null;
  if (!isStoredDoc(parsed)) throw new ReadStoreUnavailable('a stored document is not a JSON object with an _id');
  return parsed;
}

function parseDocument<T extends Document>(text: unknown): T {
  const parsed: unknown = typeof text === 'string' ? JSON.parse(text) : null;
  if (!isDocument(parsed)) throw new ReadStoreUnavailable('a stored document is not a JSON object with an _id');
  // The port lets the caller name its document type; the store can vouch only for a Document.
  return parsed as T;
}

function compileFilter(filter: Filter): (doc: Document) => boolean {
  let query: Query;
  try {
    query = new Query(filter, { scriptEnabled: false });
  } catch (error) {
    throw new InvalidQuery(error instanceof Error ? error.message : String(error));
  }
  return (doc) => {
    try {
      return query.test(doc);
    } catch (error) {
      throw new InvalidQuery(error instanceof Error ? error.message : String(error));
    }
  };
}

export class SqliteReadStore implements ReadStore {
  private closed = false;
  private readonly statements = new Map<string, Database.Statement>();
  private last: QueryStats | null = null;

  private constructor(private readonly db: Database.Database) {}

  /** What the last find or count did (the stats hook tests use to prove an index was used). */
  get lastQuery(): QueryStats | null {
    return this.last;
  }

  static open(options: SqliteReadStoreOptions): SqliteReadStore {
    let db: Database.Database;
    try {
      db = new Database(options.path);
      db.pragma('journal_mode = WAL');
      // NORMAL, not FULL: in WAL mode a power cut can lose the last commits but never tears
      // one, and every read model commits its checkpoint with its documents, so what is lost
      // is simply projected again from the event log (which stays FULL). Saves an fsync per
      // projector batch.
      db.pragma('synchronous = NORMAL');
      db.pragma('busy_timeout = 5000');
      db.exec(SCHEMA);
    } catch (error) {
      throw new ReadStoreUnavailable(`cannot open the read store at ${options.path}`, error);
    }
    return new SqliteReadStore(db);
  }

  async ensureIndexes(collection: string, indexes: readonly IndexSpec[]): Promise<void> {
    this.assertOpen();
    validateCollectionName(collection, queryError);
    validateIndexSpecs(indexes);
    let current = '';
    const run = this.db.transaction(() => {
      this.createTable(collection);
      const known = loadFields(this.db, collection);
      for (const spec of indexes) {
        current = Object.keys(spec.fields).join(',');
        this.db.exec(createIndexSql(collection, spec));
        for (const path of Object.keys(spec.fields)) {
          if (path !== '_id' && !known.has(path)) saveField(this.db, collection, path, scanField(this.db, collection, path));
        }
      }
    });
    this.guard(() => run.immediate(), () => ({ collection, id: `index on ${current}` }));
  }

  async findById<T extends Document>(collection: string, id: string): Promise<T | null> {
    this.assertOpen();
    validateCollectionName(collection, queryError);
    if (!this.tableExists(collection)) return null;
    const row = this.guard(() => this.statement(`SELECT doc FROM ${quoteIdent(tableName(collection))} WHERE id = ?`).pluck().get(id));
    return row === undefined ? null : parseDocument<T>(row);
  }

  async findByIds<T extends Document>(collection: string, ids: readonly string[]): Promise<readonly T[]> {
    this.assertOpen();
    validateCollectionName(collection, queryError);
    if (!ids.every((id) => typeof id === 'string')) throw new InvalidQuery('ids must be strings');
    if (ids.length === 0 || !this.tableExists(collection)) return [];
    const sql = `SELECT doc FROM ${quoteIdent(tableName(collection))} WHERE id IN (SELECT value FROM json_each(?))`;
    const rows = this.guard(() => this.statement(sql).pluck().all(JSON.stringify([...new Set(ids)])));
    const byId = new Map(rows.map((row) => parseDocument<T>(row)).map((doc) => [doc._id, doc]));
    return [...new Set(ids)].flatMap((id) => byId.get(id) ?? []);
  }

  async find<T extends Document>(collection: string, filter: Filter, options: FindOptions = {}): Promise<FindPage<T>> {
    this.assertOpen();
    const q = this.compile(collection, filter, options, true);
    if (!q) return { docs: [], next: null };
    const docs: T[] = [];
    let rowsExamined = 0;
    this.guard(() => {
      const rows = this.statement(q.sql).pluck().iterate(...q.params);
      for (const row of rows) {
        rowsExamined++;
        const doc = parseDocument<T>(row);
        if (q.test(doc)) docs.push(doc);
        // Sorted by SQLite: one match past the page tells whether there is a next page.
        if (q.sorted && docs.length > q.limit) break;
      }
    });
    this.last = { sql: q.sql, rowsExamined, sorted: q.sorted };
    const page = q.sorted ? docs : this.sortInMemory(docs, q.keys, q.after, q.limit);
    const last = page[q.limit - 1];
    return page.length > q.limit && last ? { docs: page.slice(0, q.limit), next: encodeCursor(q.keys, last) } : { docs: page, next: null };
  }

  async count(collection: string, filter: Filter): Promise<number> {
    this.assertOpen();
    const q = this.compile(collection, filter, {}, false);
    if (!q) return 0;
    let n = 0;
    let rowsExamined = 0;
    this.guard(() => {
      for (const row of this.statement(q.sql).pluck().iterate(...q.params)) {
        rowsExamined++;
        if (q.test(parseDocument(row))) n++;
      }
    });
    this.last = { sql: q.sql, rowsExamined, sorted: false };
    return n;
  }

  /** SQLite's plan for a find: `EXPLAIN QUERY PLAN` details, one per line. */
  explain(collection: string, filter: Filter, options: FindOptions = {}): { readonly sql: string; readonly plan: readonly string[] } {
    this.assertOpen();
    const q = this.compile(collection, filter, options, true);
    if (!q) return { sql: '', plan: [] };
    const rows = this.db.prepare(`EXPLAIN QUERY PLAN ${q.sql}`).all(...q.params);
    return { sql: q.sql, plan: rows.map((r) => (isRecord(r) ? String(r['detail']) : '')) };
  }

  async apply(operations: readonly DocumentOperation[], options: ApplyOptions = {}): Promise<void> {
    this.assertOpen();
    for (const operation of operations) validateOperation(operation);
    const defaultPosition = validatePosition(options.position, 'the apply position');
    const checkpoint = options.checkpoint;
    if (checkpoint) {
      if (typeof checkpoint.name !== 'string' || checkpoint.name.length === 0) throw updateError('a checkpoint needs a name');
      validatePosition(checkpoint.position, 'the checkpoint position');
    }
    let current: DocumentOperation | undefined;
    const run = this.db.transaction(() => {
      const fields = new Map<string, Map<string, MutableFieldInfo>>();
      for (const operation of operations) {
        current = operation;
        let known = fields.get(operation.collection);
        if (!known) {
          this.createTable(operation.collection);
          known = loadFields(this.db, operation.collection);
          fields.set(operation.collection, known);
        }
        this.applyOne(operation, operation.position ?? defaultPosition, known);
      }
      current = undefined;
      if (checkpoint) {
        this.statement(
          `INSERT INTO ${CHECKPOINTS_TABLE} (name, position) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET position = excluded.position`,
        ).run(checkpoint.name, checkpoint.position);
      }
    });
    this.guard(() => run.immediate(), () => ({ collection: current?.collection ?? '', id: current?.id ?? '' }));
  }

  private applyOne(operation: DocumentOperation, position: number | undefined, fields: Map<string, MutableFieldInfo>): void {
    const table = quoteIdent(tableName(operation.collection));
    // A replace or delete without a position does not depend on what is there: skip the read.
    const needsExisting = position !== undefined || operation.op === 'update';
    const row = needsExisting ? this.statement(`SELECT doc FROM ${table} WHERE id = ?`).pluck().get(operation.id) : undefined;
    const existing = row === undefined ? null : parseStored(row);
    const seen = existing?.[POSITION_FIELD];
    // The position guard: this document has already seen this event, or a later one.
    if (position !== undefined && typeof seen === 'number' && seen >= position) return;
    let doc: StoredDoc;
    switch (operation.op) {
      case 'delete':
        this.statement(`DELETE FROM ${table} WHERE id = ?`).run(operation.id);
        return;
      case 'replace':
        doc = { _id: operation.id, ...operation.doc };
        break;
      case 'update':
        if (!existing && !operation.upsert) return;
        doc = applyUpdate(existing ?? { _id: operation.id }, operation.update, !existing);
        break;
    }
    if (position !== undefined) doc[POSITION_FIELD] = position;
    recordDocument(this.db, operation.collection, fields, doc);
    this.statement(`INSERT INTO ${table} (id, doc) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET doc = excluded.doc`).run(
      operation.id,
      JSON.stringify(doc),
    );
  }

  async getCheckpoint(name: string): Promise<number | null> {
    this.assertOpen();
    const position = this.guard(() => this.statement(`SELECT position FROM ${CHECKPOINTS_TABLE} WHERE name = ?`).pluck().get(name));
    return typeof position === 'number' ? position : null;
  }

  async drop(collections: readonly string[], checkpointName?: string): Promise<void> {
    this.assertOpen();
    for (const c of collections) validateCollectionName(c, updateError);
    const run = this.db.transaction(() => {
      for (const c of collections) {
        this.db.exec(`DROP TABLE IF EXISTS ${quoteIdent(tableName(c))}`);
        this.statement(`DELETE FROM ${FIELDS_TABLE} WHERE collection = ?`).run(c);
      }
      if (checkpointName !== undefined) this.statement(`DELETE FROM ${CHECKPOINTS_TABLE} WHERE name = ?`).run(checkpointName);
    });
    this.guard(() => run.immediate());
    // Statements on dropped tables would fail when re-prepared; start afresh.
    this.statements.clear();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.statements.clear();
    this.db.close();
  }

  private compile(collection: string, filter: Filter, options: FindOptions, ordered: boolean): Compiled | null {
    validateCollectionName(collection, queryError);
    validateFilter(filter);
    const keys = normalizeSort(options.sort);
    const limit = resolveLimit(options.limit);
    const after = options.after === undefined ? null : decodeCursor(options.after, keys);
    const test = compileFilter(filter);
    if (!this.tableExists(collection)) return null;
    const fields = this.guard(() => loadFields(this.db, collection));
    const p = plan({ filter, fields, keys: ordered ? keys : null, after });
    const where = p.where.length > 0 ? ` WHERE ${p.where.map((w) => w.sql).join(' AND ')}` : '';
    const orderBy = p.sorted && p.orderBy ? ` ORDER BY ${p.orderBy}` : '';
    const sql = `SELECT doc FROM ${quoteIdent(tableName(collection))}${where}${orderBy}`;
    return { sql, params: p.where.flatMap((w) => w.params), sorted: p.sorted, keys, after, limit, test };
  }

  /** Sorts the matches MongoDB's way and keeps those after the cursor: limit + 1 of them. */
  private sortInMemory<T extends Document>(
    docs: readonly T[],
    keys: readonly SortKey[],
    after: readonly JsonValue[] | null,
    limit: number,
  ): T[] {
    const keyed = docs.map((doc) => ({ doc, values: keyValues(keys, doc) }));
    keyed.sort((a, b) => compareKeyValues(keys, a.values, b.values));
    const rest = after ? keyed.filter((k) => compareKeyValues(keys, k.values, after) > 0) : keyed;
    return rest.slice(0, limit + 1).map((k) => k.doc);
  }

  private createTable(collection: string): void {
    this.db.exec(`CREATE TABLE IF NOT EXISTS ${quoteIdent(tableName(collection))} (id TEXT PRIMARY KEY NOT NULL, doc TEXT NOT NULL)`);
  }

  private tableExists(collection: string): boolean {
    const sql = `SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?`;
    const found = this.guard(() => this.statement(sql).pluck().get(tableName(collection)));
    return found !== undefined;
  }

  private statement(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      // Filters of every shape compile to their own SQL; keep the cache from growing without bound.
      if (this.statements.size >= 500) this.statements.clear();
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  /** Runs `fn`, translating SQLite's errors into the port's. */
  private guard<R>(fn: () => R, culprit?: () => { collection: string; id: string }): R {
    try {
      return fn();
    } catch (error) {
      if (error instanceof ReadStoreError) throw error;
      const code = sqliteCode(error);
      if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
        const { collection, id } = culprit?.() ?? { collection: '', id: '' };
        throw new DuplicateKey(collection, id);
      }
      if (code !== undefined && UNAVAILABLE.test(code)) throw new ReadStoreUnavailable(`the read store failed: ${code}`, error);
      throw error;
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new ReadStoreClosed();
  }
}
