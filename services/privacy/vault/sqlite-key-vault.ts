import Database from 'better-sqlite3';
import { KeyVaultUnavailable, type KeyVault, type StoredDataKey } from './key-vault';

interface Row {
  readonly subject_key: string;
  readonly key_id: string;
  readonly wrapped: string;
  readonly created_at: string;
}

function isRow(value: unknown): value is Row {
  return (
    typeof value === 'object' &&
    value !== null &&
    'subject_key' in value &&
    typeof value.subject_key === 'string' &&
    'key_id' in value &&
    typeof value.key_id === 'string' &&
    'wrapped' in value &&
    typeof value.wrapped === 'string' &&
    'created_at' in value &&
    typeof value.created_at === 'string'
  );
}

const toKey = (row: Row): StoredDataKey => ({ subjectKey: row.subject_key, keyId: row.key_id, wrapped: row.wrapped, createdAt: row.created_at });

/**
 * The embedded vault: its own SQLite file (never the event store's), rollback journal rather
 * than WAL, and `secure_delete` so a destroyed key's bytes are overwritten in the file instead
 * of lingering on a free page until reused.
 */
export class SqliteKeyVault implements KeyVault {
  private readonly db: Database.Database;
  private readonly insert: Database.Statement;
  private readonly select: Database.Statement;
  private readonly remove: Database.Statement;

  private constructor(path: string) {
    this.db = new Database(path);
    this.db.pragma('journal_mode = DELETE');
    this.db.pragma('synchronous = FULL');
    this.db.pragma('secure_delete = ON');
    this.db.exec(`CREATE TABLE IF NOT EXISTS data_keys (
      subject_key TEXT PRIMARY KEY,
      key_id TEXT NOT NULL,
      wrapped TEXT NOT NULL,
      created_at TEXT NOT NULL
    ) STRICT`);
    this.insert = this.db.prepare('INSERT INTO data_keys (subject_key, key_id, wrapped, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (subject_key) DO NOTHING');
    this.select = this.db.prepare('SELECT subject_key, key_id, wrapped, created_at FROM data_keys WHERE subject_key = ?');
    this.remove = this.db.prepare('DELETE FROM data_keys WHERE subject_key = ? RETURNING key_id');
  }

  static open(path: string): SqliteKeyVault {
    return new SqliteKeyVault(path);
  }

  async putIfAbsent(key: StoredDataKey): Promise<StoredDataKey> {
    return this.guard(() => {
      this.insert.run(key.subjectKey, key.keyId, key.wrapped, key.createdAt);
      const row: unknown = this.select.get(key.subjectKey);
      if (!isRow(row)) throw new KeyVaultUnavailable('a key just stored cannot be read back');
      return toKey(row);
    });
  }

  async get(subjectKey: string): Promise<StoredDataKey | null> {
    return this.guard(() => {
      const row: unknown = this.select.get(subjectKey);
      return isRow(row) ? toKey(row) : null;
    });
  }

  async destroy(subjectKey: string): Promise<string | null> {
    return this.guard(() => {
      const row: unknown = this.remove.get(subjectKey);
      return typeof row === 'object' && row !== null && 'key_id' in row && typeof row.key_id === 'string' ? row.key_id : null;
    });
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }

  private guard<T>(fn: () => T): T {
    try {
      return fn();
    } catch (error) {
      if (error instanceof KeyVaultUnavailable) throw error;
      throw new KeyVaultUnavailable(`key vault: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
  }
}
