import type Database from 'better-sqlite3';
import type { EventMetadata, RecordedEvent } from '../envelope';
import { InvalidEvent } from '../errors';

/**
 * One table, append-only. `position` is AUTOINCREMENT so a position is never handed out twice,
 * even if the newest rows were ever removed by hand: a subscriber's checkpoint stays meaningful.
 * `category` (the stream name up to its first dash) is stored so a category filter on `$all` can
 * walk an index in position order instead of sorting every event of the category.
 * The (type) and (category) indexes end in the rowid, i.e. they are ordered by position.
 */
const DDL = `
CREATE TABLE IF NOT EXISTS events (
  position    INTEGER PRIMARY KEY AUTOINCREMENT,
  stream      TEXT    NOT NULL,
  revision    INTEGER NOT NULL,
  id          TEXT    NOT NULL,
  type        TEXT    NOT NULL,
  category    TEXT    NOT NULL,
  recorded_at TEXT    NOT NULL,
  metadata    TEXT    NOT NULL,
  data        TEXT    NOT NULL
) STRICT;
CREATE UNIQUE INDEX IF NOT EXISTS events_stream_revision ON events (stream, revision);
CREATE UNIQUE INDEX IF NOT EXISTS events_id ON events (id);
CREATE INDEX IF NOT EXISTS events_type ON events (type);
CREATE INDEX IF NOT EXISTS events_category ON events (category);
`;

/** Columns every read selects, in the order of {@link EventRow}. */
export const EVENT_COLUMNS = 'position, stream, revision, id, type, recorded_at, metadata, data';

export interface EventRow {
  readonly position: number;
  readonly stream: string;
  readonly revision: number;
  readonly id: string;
  readonly type: string;
  readonly recorded_at: string;
  readonly metadata: string;
  readonly data: string;
}

export interface ConnectionOptions {
  /** How long a writer waits for another process's write lock before failing. */
  readonly busyTimeoutMs: number;
}

/** Pragmas and schema; idempotent, safe when several processes open the same file at once. */
export function prepareConnection(db: Database.Database, options: ConnectionOptions): void {
  db.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs))}`);
  // WAL lets readers (other processes, subscriptions) run while one writer commits; FULL makes
  // every COMMIT fsync the log, which is what "acknowledged means durable" rests on.
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  // The WAL file keeps its high-water size after a checkpoint; cap what a burst leaves behind.
  db.pragma('journal_size_limit = 67108864');
  db.exec(`BEGIN IMMEDIATE; ${DDL} COMMIT;`);
}

function isEventMetadata(value: unknown): value is EventMetadata {
  return (
    typeof value === 'object' &&
    value !== null &&
    'correlationId' in value &&
    typeof value.correlationId === 'string' &&
    'causationId' in value &&
    (value.causationId === null || typeof value.causationId === 'string') &&
    'actor' in value &&
    typeof value.actor === 'string' &&
    'occurredAt' in value &&
    typeof value.occurredAt === 'string' &&
    'schemaVersion' in value &&
    typeof value.schemaVersion === 'number'
  );
}

/** Stored rows are parsed at the boundary like any other input: a damaged row fails loudly. */
export function decodeRow(row: EventRow): RecordedEvent {
  const data: unknown = JSON.parse(row.data);
  const metadata: unknown = JSON.parse(row.metadata);
  if (!isEventMetadata(metadata)) {
    throw new InvalidEvent(row.type, [{ path: 'metadata', message: `stored event at position ${row.position} is malformed` }]);
  }
  return {
    id: row.id,
    type: row.type,
    data,
    metadata,
    stream: row.stream,
    revision: row.revision,
    position: row.position,
    recordedAt: row.recorded_at,
  };
}

export function rowidToNumber(rowid: number | bigint): number {
  return typeof rowid === 'bigint' ? Number(rowid) : rowid;
}
