/**
 * Shared pieces of the SQLite append benchmarks: the events, a temp directory, and the raw
 * better-sqlite3 baseline (same schema, same rows, same durability), so each benchmark can
 * compare the adapter with what the driver alone does on this machine in the same run.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { NewEvent } from '../events/envelope';
import { prepareConnection } from '../events/sqlite/schema';

/** A ~3 KB event: a realistic interaction log entry (prompt + completion text and some numbers). */
export function event3k(n: number): NewEvent {
  const text = randomBytes(1125).toString('base64'); // 1,500 characters of incompressible text
  return {
    id: randomUUID(),
    type: 'InteractionLogged',
    data: {
      workloadId: 'support-answers',
      model: 'gpt-4o-mini',
      prompt: text,
      completion: text.split('').reverse().join(''),
      latencyMs: 200 + (n % 500),
      tokens: { prompt: 350, completion: 280 },
    },
    metadata: {
      correlationId: randomUUID(),
      causationId: null,
      actor: 'key:bench',
      occurredAt: new Date(1_700_000_000_000 + n).toISOString(),
      schemaVersion: 1,
    },
  };
}

/** One row as the store writes it, for the raw baseline. */
export interface Row {
  readonly stream: string;
  readonly revision: number;
  readonly event: NewEvent;
}

export function tempDb(label: string): { path: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), `flywheel-bench-${label}-`));
  return { path: join(dir, 'events.db'), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * The driver alone: the same table and indexes, WAL, synchronous=FULL, `perTransaction` rows per
 * BEGIN IMMEDIATE…COMMIT. Serialising the payloads is counted, as the adapter has to do it too.
 * Returns rows/s and, per transaction, the commit latencies (ms).
 */
export function rawBaseline(rows: readonly Row[], perTransaction: number): { rowsPerSec: number; latenciesMs: number[] } {
  const db = tempDb('raw');
  const sqlite = new Database(db.path);
  try {
    prepareConnection(sqlite, { busyTimeoutMs: 5_000 });
    const insert = sqlite.prepare(
      'INSERT INTO events (stream, revision, id, type, category, recorded_at, metadata, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    );
    const begin = sqlite.prepare('BEGIN IMMEDIATE');
    const commit = sqlite.prepare('COMMIT');
    const latenciesMs: number[] = [];
    const started = process.hrtime.bigint();
    for (let i = 0; i < rows.length; i += perTransaction) {
      const t0 = process.hrtime.bigint();
      const recordedAt = new Date().toISOString();
      begin.run();
      for (const row of rows.slice(i, i + perTransaction)) {
        const e = row.event;
        insert.run(row.stream, row.revision, e.id, e.type, 'bench', recordedAt, JSON.stringify(e.metadata), JSON.stringify(e.data));
      }
      commit.run();
      latenciesMs.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    return { rowsPerSec: rows.length / seconds, latenciesMs };
  } finally {
    sqlite.close();
    db.remove();
  }
}

export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

export const round = (value: number, digits = 0): number => Number(value.toFixed(digits));
