import Database from 'better-sqlite3';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The sample SQLite databases codegen output runs against, one per workload and content hash,
 * built on first use from the registered SQL into the data dir. Opened read-only here for the
 * static check (does it compile against the schema, is it read-only); executed in the sandbox.
 */
export class SampleDatabases {
  private readonly readers = new Map<string, Database.Database>();

  constructor(private readonly dir: string) {}

  pathFor(workloadId: string, hash: string, sql: string): string {
    const path = join(this.dir, `${workloadId}-${hash.slice(0, 16)}.db`);
    if (existsSync(path)) return path;
    mkdirSync(this.dir, { recursive: true });
    // Built beside and renamed into place: a crash mid-build leaves no half-built database behind.
    const building = `${path}.${process.pid}.building`;
    rmSync(building, { force: true });
    const db = new Database(building);
    try {
      db.exec(sql);
    } finally {
      db.close();
    }
    renameSync(building, path);
    return path;
  }

  /** Compiles the statement against the database's schema without running it. */
  compile(path: string, sql: string): { ok: true; readOnly: boolean } | { ok: false; error: string } {
    let db = this.readers.get(path);
    if (!db) {
      db = new Database(path, { readonly: true, fileMustExist: true });
      this.readers.set(path, db);
    }
    try {
      const statement = db.prepare(sql);
      return { ok: true, readOnly: statement.readonly && statement.reader };
    } catch (error) {
      return { ok: false, error: error instanceof Error ? error.message : String(error) };
    }
  }

  close(): void {
    for (const db of this.readers.values()) db.close();
    this.readers.clear();
  }
}
