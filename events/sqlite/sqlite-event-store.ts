import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import {
  DEFAULT_READ_COUNT,
  MAX_READ_COUNT,
  type AllSubscription,
  type AppendOptions,
  type AppendResult,
  type EventStore,
  type ReadAllOptions,
  type ReadAllPage,
  type ReadStreamOptions,
  type SubscribeOptions,
} from '../event-store';
import { assertStreamName, type NewEvent, type RecordedEvent } from '../envelope';
import { EventStoreError, StoreClosed, StoreUnavailable } from '../errors';
import { AllQuery, normalizeFilter, type NormalizedFilter } from './all-query';
import { BatchWriter, prepareAppend, type AppendOutcome, type AppendRequest } from './append-batch';
import { EVENT_COLUMNS, decodeRow, prepareConnection, type EventRow } from './schema';
import { SqliteSubscription } from './subscription';

export interface SqliteEventStoreOptions {
  /** A file path, or `:memory:` for a throwaway store (tests). */
  readonly path: string;
  /** How often caught-up subscriptions look for commits made by other processes. Default 250 ms. */
  readonly pollIntervalMs?: number;
  /** Upper bound of one group commit, in events. Default 2,000. */
  readonly maxBatchEvents?: number;
  /** Upper bound of one group commit, in payload bytes. Default 16 MiB. */
  readonly maxBatchBytes?: number;
  /** How long a commit waits for another process holding the write lock. Default 5 s. */
  readonly busyTimeoutMs?: number;
  /** Events a subscription reads per page, and the payload bytes after which a page stops early. */
  readonly subscriptionPageSize?: number;
  readonly subscriptionPageBytes?: number;
  /** The recorded-at clock; injectable for tests. */
  readonly clock?: () => Date;
}

/** Counters for tests and benchmarks: is group commit grouping? */
export interface SqliteEventStoreStats {
  /** Committed write transactions. */
  readonly transactions: number;
  /** Append calls answered (successes, no-op retries and per-append conflicts). */
  readonly appends: number;
  /** Events written. */
  readonly events: number;
  /** Most appends answered by one transaction. */
  readonly largestBatch: number;
}

interface Pending {
  readonly request: AppendRequest;
  readonly resolve: (result: AppendResult) => void;
  readonly reject: (error: Error) => void;
}

interface StreamStatements {
  readonly forwards: Database.Statement<[string, number, number], EventRow>;
  readonly backwards: Database.Statement<[string, number, number], EventRow>;
}

/**
 * The embedded EventStore: one SQLite file, WAL, synchronous=FULL.
 *
 * Group commit: append() validates and serialises at once, then queues; the queue is flushed on
 * setImmediate, i.e. after every append issued in the same turn of the event loop has joined it,
 * as one transaction (bounded in events and bytes). Promises settle only after COMMIT returned,
 * and better-sqlite3's COMMIT returns after the WAL fsync, so an answer means durable. The cost of
 * an fsync is shared by every writer that was waiting, which is where the throughput comes from.
 */
export class SqliteEventStore implements EventStore {
  private readonly writer: BatchWriter;
  private readonly allQuery: AllQuery;
  private readonly streamRead: StreamStatements;
  private readonly headStatement: Database.Statement<[], number | null>;
  private readonly subscriptions = new Set<SqliteSubscription>();
  private queue: Pending[] = [];
  private flushScheduled = false;
  private closed = false;
  private counters = { transactions: 0, appends: 0, events: 0, largestBatch: 0 };

  private constructor(
    private readonly db: Database.Database,
    private readonly settings: Required<Omit<SqliteEventStoreOptions, 'path'>>,
  ) {
    this.writer = new BatchWriter(db);
    this.allQuery = new AllQuery(db);
    this.streamRead = {
      forwards: db.prepare(
        `SELECT ${EVENT_COLUMNS} FROM events WHERE stream = ? AND revision >= ? ORDER BY revision ASC LIMIT ?`,
      ),
      backwards: db.prepare(
        `SELECT ${EVENT_COLUMNS} FROM events WHERE stream = ? AND revision <= ? ORDER BY revision DESC LIMIT ?`,
      ),
    };
    this.headStatement = db.prepare<[], number | null>('SELECT max(position) FROM events').pluck();
  }

  static async open(options: SqliteEventStoreOptions): Promise<SqliteEventStore> {
    const settings = {
      pollIntervalMs: options.pollIntervalMs ?? 250,
      maxBatchEvents: options.maxBatchEvents ?? 2_000,
      maxBatchBytes: options.maxBatchBytes ?? 16 * 1024 * 1024,
      busyTimeoutMs: options.busyTimeoutMs ?? 5_000,
      subscriptionPageSize: options.subscriptionPageSize ?? 256,
      subscriptionPageBytes: options.subscriptionPageBytes ?? 8 * 1024 * 1024,
      clock: options.clock ?? (() => new Date()),
    };
    let db: Database.Database | undefined;
    try {
      if (options.path !== ':memory:') mkdirSync(dirname(options.path), { recursive: true });
      db = new Database(options.path);
      prepareConnection(db, settings);
      return new SqliteEventStore(db, settings);
    } catch (error) {
      db?.close();
      throw translate(error);
    }
  }

  stats(): SqliteEventStoreStats {
    return { ...this.counters };
  }

  append(stream: string, events: readonly NewEvent[], options?: AppendOptions): Promise<AppendResult> {
    if (this.closed) return Promise.reject(new StoreClosed());
    let request: AppendRequest;
    try {
      request = prepareAppend(stream, events, options?.expectedRevision ?? 'any');
    } catch (error) {
      return Promise.reject(translate(error));
    }
    return new Promise<AppendResult>((resolve, reject) => {
      this.queue.push({ request, resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flushOne());
      }
    });
  }

  readStream(stream: string, options?: ReadStreamOptions): Promise<readonly RecordedEvent[]> {
    return this.guard(() => {
      assertStreamName(stream);
      const limit = options?.maxCount === undefined ? -1 : positiveCount(options.maxCount, 'maxCount');
      const rows =
        options?.direction === 'backwards'
          ? this.streamRead.backwards.all(stream, options.fromRevision ?? Number.MAX_SAFE_INTEGER, limit)
          : this.streamRead.forwards.all(stream, options?.fromRevision ?? 0, limit);
      return rows.map(decodeRow);
    });
  }

  readAll(options?: ReadAllOptions): Promise<ReadAllPage> {
    return this.guard(() => {
      const direction = options?.direction ?? 'forwards';
      const limit = Math.min(MAX_READ_COUNT, positiveCount(options?.maxCount ?? DEFAULT_READ_COUNT, 'maxCount'));
      const after = options?.after ?? (direction === 'forwards' ? -1 : Number.MAX_SAFE_INTEGER);
      // One row beyond the page tells whether there is a next page without a second query.
      const rows = [
        ...this.allQuery.rows(
          direction,
          { after, upTo: Number.MAX_SAFE_INTEGER, limit: limit + 1 },
          normalizeFilter(options?.filter),
        ),
      ];
      const events = rows.slice(0, limit).map(decodeRow);
      const last = events[events.length - 1];
      return { events, next: rows.length > limit && last ? last.position : null };
    });
  }

  subscribeToAll(options?: SubscribeOptions): AllSubscription {
    const filter = normalizeFilter(options?.filter);
    const subscription = new SqliteSubscription(
      { readPage: (cursor) => this.readSubscriptionPage(cursor, filter) },
      {
        after: options?.after ?? -1,
        pollIntervalMs: this.settings.pollIntervalMs,
        onEnd: (s) => this.subscriptions.delete(s),
        failure: this.closed ? new StoreClosed() : undefined,
      },
    );
    if (!this.closed) this.subscriptions.add(subscription);
    return subscription;
  }

  headPosition(): Promise<number> {
    return this.guard(() => this.headStatement.get() ?? -1);
  }

  /** Appends already accepted are still written; subscriptions end; later calls get StoreClosed. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    while (this.queue.length > 0) this.flushOne();
    for (const subscription of [...this.subscriptions]) subscription.end();
    this.db.close();
  }

  private flushOne(): void {
    this.flushScheduled = false;
    if (this.queue.length === 0 || !this.db.open) return;
    const batch = this.takeBatch();
    let outcomes: AppendOutcome[];
    try {
      outcomes = this.writer.write(
        batch.map((p) => p.request),
        this.settings.clock().toISOString(),
      );
    } catch (error) {
      const failure = translate(error);
      for (const pending of batch) pending.reject(failure);
      this.scheduleRest();
      return;
    }
    this.counters.transactions += 1;
    this.counters.appends += batch.length;
    this.counters.largestBatch = Math.max(this.counters.largestBatch, batch.length);
    let head = -1;
    batch.forEach((pending, i) => {
      const outcome = outcomes[i];
      if (!outcome) pending.reject(new StoreUnavailable('sqlite: missing append outcome'));
      else if (outcome.ok) {
        head = Math.max(head, outcome.result.position);
        pending.resolve(outcome.result);
      } else pending.reject(outcome.error);
    });
    this.counters.events += batch.reduce((n, p, i) => n + (outcomes[i]?.ok ? p.request.events.length : 0), 0);
    // Publish after commit: subscribers read what is now durable.
    if (head >= 0) for (const subscription of this.subscriptions) subscription.notify(head);
    this.scheduleRest();
  }

  private takeBatch(): Pending[] {
    let events = 0;
    let bytes = 0;
    let n = 0;
    for (const pending of this.queue) {
      const nextEvents = events + pending.request.events.length;
      const nextBytes = bytes + pending.request.bytes;
      if (n > 0 && (nextEvents > this.settings.maxBatchEvents || nextBytes > this.settings.maxBatchBytes)) break;
      events = nextEvents;
      bytes = nextBytes;
      n += 1;
    }
    const batch = this.queue.slice(0, n);
    this.queue = this.queue.slice(n);
    return batch;
  }

  /** One batch per turn of the event loop, so readers and I/O get their turn between batches. */
  private scheduleRest(): void {
    if (this.queue.length > 0 && !this.flushScheduled && !this.closed) {
      this.flushScheduled = true;
      setImmediate(() => this.flushOne());
    }
  }

  private readSubscriptionPage(cursor: number, filter: NormalizedFilter | undefined) {
    if (this.closed) throw new StoreClosed();
    // Pin the head first: everything up to it is committed (SQLite commits in position order),
    // so after reading all matches up to it the cursor may jump there even if none matched.
    const upTo = this.headStatement.get() ?? -1;
    if (upTo <= cursor) return { events: [], cursor };
    const events: RecordedEvent[] = [];
    let bytes = 0;
    let full = false;
    const limit = this.settings.subscriptionPageSize;
    for (const row of this.allQuery.rows('forwards', { after: cursor, upTo, limit }, filter)) {
      events.push(decodeRow(row));
      bytes += row.data.length + row.metadata.length;
      if (events.length >= limit || bytes >= this.settings.subscriptionPageBytes) {
        full = true;
        break;
      }
    }
    const last = events[events.length - 1];
    return { events, cursor: full && last ? last.position : upTo };
  }

  private guard<T>(read: () => T): Promise<T> {
    if (this.closed) return Promise.reject(new StoreClosed());
    try {
      return Promise.resolve(read());
    } catch (error) {
      return Promise.reject(translate(error));
    }
  }
}

function positiveCount(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer, got ${value}`);
  return value;
}

/** The port's own errors pass through; anything from the driver becomes StoreUnavailable. */
function translate(error: unknown): Error {
  if (error instanceof EventStoreError || error instanceof RangeError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new StoreUnavailable(`sqlite: ${message}`, error);
}
