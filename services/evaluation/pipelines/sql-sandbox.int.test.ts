import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqlSandbox } from './sql-sandbox';

let dir: string;
let dbPath: string;
const sandbox = new SqlSandbox({ timeoutMs: 1_500, maxRows: 5 });
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'flywheel-sql-'));
  dbPath = join(dir, 'sample.db');
  const db = new Database(dbPath);
  db.exec("CREATE TABLE orders (id INTEGER PRIMARY KEY, region TEXT, total REAL); INSERT INTO orders (region, total) VALUES ('eu', 10), ('eu', 5), ('us', 7);");
  db.close();
});
afterAll(async () => {
  await sandbox.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('SqlSandbox', () => {
  it('runs a read-only query and returns its rows', async () => {
    const run = await sandbox.run(dbPath, 'SELECT region, SUM(total) FROM orders GROUP BY region ORDER BY region');
    expect(run).toMatchObject({ ok: true, columns: ['region', 'SUM(total)'], rows: [['eu', 15], ['us', 7]], truncated: false });
  });

  it('refuses writes, and reports errors', async () => {
    expect(await sandbox.run(dbPath, "DELETE FROM orders WHERE region = 'eu'")).toMatchObject({ ok: false, kind: 'NOT_READ_ONLY' });
    expect(await sandbox.run(dbPath, 'SELECT * FROM nope')).toMatchObject({ ok: false, kind: 'ERROR', message: expect.stringContaining('no such table') });
    expect((await sandbox.run(dbPath, 'SELECT COUNT(*) FROM orders')).ok).toBe(true);
  });

  it('kills a runaway query at the time limit and goes on with a fresh child', async () => {
    const runaway = 'WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n) SELECT COUNT(*) FROM n';
    expect(await sandbox.run(dbPath, runaway)).toMatchObject({ ok: false, kind: 'TIMEOUT' });
    expect(await sandbox.run(dbPath, 'SELECT id FROM orders')).toMatchObject({ ok: true, rows: [[1], [2], [3]] });
  });
});
