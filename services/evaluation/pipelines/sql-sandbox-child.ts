/**
 * The child process of SqlSandbox: runs one read-only query at a time on a sample database and
 * answers with its rows. It lives in its own process so a runaway query can be killed outright
 * (SQLite has no statement timeout that better-sqlite3 exposes).
 */
import Database from 'better-sqlite3';

interface Job {
  readonly id: number;
  readonly dbPath: string;
  readonly sql: string;
  readonly maxRows: number;
}

const open = new Map<string, Database.Database>();

function dbFor(path: string): Database.Database {
  let db = open.get(path);
  if (!db) {
    db = new Database(path, { readonly: true, fileMustExist: true });
    // Belt and braces: even a statement that slipped past the read-only checks cannot write.
    db.pragma('query_only = ON');
    open.set(path, db);
  }
  return db;
}

function isJob(value: unknown): value is Job {
  return !!value && typeof value === 'object' && 'id' in value && 'dbPath' in value && 'sql' in value && 'maxRows' in value;
}

process.on('message', (message: unknown) => {
  if (!isJob(message)) return;
  try {
    const statement = dbFor(message.dbPath).prepare(message.sql);
    if (!statement.readonly || !statement.reader) {
      process.send?.({ id: message.id, ok: false, kind: 'NOT_READ_ONLY', message: 'only a read-only query that returns rows may run' });
      return;
    }
    statement.raw(true);
    const rows: unknown[][] = [];
    let truncated = false;
    for (const row of statement.iterate()) {
      if (rows.length >= message.maxRows) {
        truncated = true;
        break;
      }
      rows.push(Array.isArray(row) ? row.map((v) => (typeof v === 'bigint' ? Number(v) : Buffer.isBuffer(v) ? v.toString('base64') : v)) : []);
    }
    process.send?.({ id: message.id, ok: true, columns: statement.columns().map((c) => c.name), rows, truncated });
  } catch (error) {
    process.send?.({ id: message.id, ok: false, kind: 'ERROR', message: error instanceof Error ? error.message : String(error) });
  }
});

// Tells the parent the child is listening.
process.send?.({ ready: true });
