import type Database from 'better-sqlite3';
import type { AppendResult } from '../event-store';
import { assertNewEvent, assertStreamName, assertUniqueIds, streamCategory, type NewEvent } from '../envelope';
import { ExpectedRevisionConflict, IdempotencyConflict, InvalidEvent, type ExpectedRevision } from '../errors';
import { rowidToNumber } from './schema';

/** An append that passed validation, with its payloads already serialised (once, outside the lock). */
export interface AppendRequest {
  readonly stream: string;
  readonly category: string;
  readonly expected: ExpectedRevision;
  readonly events: readonly SerializedEvent[];
  /** Payload size, for bounding a batch. */
  readonly bytes: number;
}

interface SerializedEvent {
  readonly id: string;
  readonly type: string;
  readonly data: string;
  readonly metadata: string;
}

export type AppendOutcome = { readonly ok: true; readonly result: AppendResult } | { readonly ok: false; readonly error: Error };

/** Everything the port promises to check before a byte is written; throws the port's typed errors. */
export function prepareAppend(stream: string, events: readonly NewEvent[], expected: ExpectedRevision): AppendRequest {
  assertStreamName(stream);
  if (!Array.isArray(events) || events.length === 0) {
    throw new InvalidEvent('(none)', [{ path: 'events', message: 'an append needs at least one event' }]);
  }
  for (const event of events) assertNewEvent(event);
  assertUniqueIds(events);
  assertExpectedRevision(expected, events[0]?.type ?? '(none)');
  let bytes = 0;
  const serialized = events.map((event) => {
    const data = toJson(event, 'data', event.data);
    const metadata = toJson(event, 'metadata', event.metadata);
    bytes += data.length + metadata.length;
    return { id: event.id, type: event.type, data, metadata };
  });
  return { stream, category: streamCategory(stream), expected, events: serialized, bytes };
}

function assertExpectedRevision(expected: ExpectedRevision, eventType: string): void {
  if (expected === 'any' || expected === 'no_stream' || expected === 'stream_exists') return;
  if (typeof expected === 'number' && Number.isSafeInteger(expected) && expected >= 0) return;
  throw new InvalidEvent(eventType, [
    { path: 'expectedRevision', message: 'any, no_stream, stream_exists or a non-negative integer' },
  ]);
}

function toJson(event: NewEvent, path: string, value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch (error) {
    // BigInt and cycles: the payload is not JSON, which is the caller's mistake, not the store's.
    const reason = error instanceof Error ? error.message : String(error);
    throw new InvalidEvent(event.type, [{ path, message: `not serialisable as JSON: ${reason}` }]);
  }
}

interface IdRow {
  readonly stream: string;
  readonly revision: number;
  readonly position: number;
}

/**
 * Writes a batch of appends in one transaction. Each append is checked against the database as
 * the transaction has it so far (earlier appends of the batch included), and a failed check
 * rejects only that append: nothing of it has been written, so no savepoint is needed.
 */
export class BatchWriter {
  private readonly begin: Database.Statement;
  private readonly commit: Database.Statement;
  private readonly rollback: Database.Statement;
  private readonly head: Database.Statement<[string], number>;
  private readonly byId: Database.Statement<[string], IdRow>;
  private readonly insert: Database.Statement<[string, number, string, string, string, string, string, string]>;

  constructor(private readonly db: Database.Database) {
    // IMMEDIATE takes the write lock up front: the checks below then see the final state.
    this.begin = db.prepare('BEGIN IMMEDIATE');
    this.commit = db.prepare('COMMIT');
    this.rollback = db.prepare('ROLLBACK');
    this.head = db
      .prepare<[string], number>('SELECT revision FROM events WHERE stream = ? ORDER BY revision DESC LIMIT 1')
      .pluck();
    this.byId = db.prepare<[string], IdRow>('SELECT stream, revision, position FROM events WHERE id = ?');
    this.insert = db.prepare(
      'INSERT INTO events (stream, revision, id, type, category, recorded_at, metadata, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    );
  }

  /** Outcomes in request order. Throws (after rolling back) only if the database itself fails. */
  write(requests: readonly AppendRequest[], recordedAt: string): AppendOutcome[] {
    this.begin.run();
    try {
      // Stream heads as this transaction has moved them, so each stream is looked up once.
      const heads = new Map<string, number>();
      const outcomes = requests.map((request) => this.apply(request, heads, recordedAt));
      this.commit.run();
      return outcomes;
    } catch (error) {
      if (this.db.inTransaction) this.rollback.run();
      throw error;
    }
  }

  private apply(request: AppendRequest, heads: Map<string, number>, recordedAt: string): AppendOutcome {
    const { stream, expected, events } = request;
    // Ids first: a retry gets its original answer whatever revision it now expects.
    const seen = events.map((e) => this.byId.get(e.id));
    if (seen.some((row) => row !== undefined)) return this.retryOutcome(request, seen);

    let current = heads.get(stream);
    if (current === undefined) current = this.head.get(stream) ?? -1;
    if (!satisfies(expected, current)) {
      return { ok: false, error: new ExpectedRevisionConflict(stream, expected, current) };
    }
    let revision = current;
    let position = -1;
    for (const e of events) {
      revision += 1;
      const info = this.insert.run(stream, revision, e.id, e.type, request.category, recordedAt, e.metadata, e.data);
      position = rowidToNumber(info.lastInsertRowid);
    }
    heads.set(stream, revision);
    return { ok: true, result: { lastRevision: revision, position } };
  }

  /** Some ids are stored already: a no-op only if all are, in this stream, consecutively, in order. */
  private retryOutcome(request: AppendRequest, seen: readonly (IdRow | undefined)[]): AppendOutcome {
    const first = seen[0];
    const exact =
      first !== undefined &&
      seen.every((row, i) => row !== undefined && row.stream === request.stream && row.revision === first.revision + i);
    const last = seen[seen.length - 1];
    if (exact && last !== undefined) return { ok: true, result: { lastRevision: last.revision, position: last.position } };
    const overlapping = request.events.filter((_, i) => seen[i] !== undefined).map((e) => e.id);
    return { ok: false, error: new IdempotencyConflict(request.stream, overlapping) };
  }
}

function satisfies(expected: ExpectedRevision, current: number): boolean {
  switch (expected) {
    case 'any':
      return true;
    case 'no_stream':
      return current === -1;
    case 'stream_exists':
      return current >= 0;
    default:
      return current === expected;
  }
}
