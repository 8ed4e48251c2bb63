import {
  BACKWARDS,
  END,
  FORWARDS,
  jsonEvent,
  KurrentDBClient,
  NO_STREAM,
  StreamDeletedError,
  StreamNotFoundError,
  WrongExpectedVersionError,
  type AllStreamSubscription,
  type AppendStreamState,
  type ReadPosition,
  type ResolvedEvent,
} from '@kurrent/kurrentdb-client';
import { assertNewEvent, assertStreamName, assertUniqueIds, type NewEvent, type RecordedEvent } from '../envelope';
import { ExpectedRevisionConflict, IdempotencyConflict, InvalidEvent, StoreClosed, StoreUnavailable } from '../errors';
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
import {
  assertExpectedRevision,
  fromCurrentState,
  fromPosition,
  isJsonObject,
  normalizeConnectionString,
  planFilter,
  positionOf,
  toReadPosition,
  toReadRevision,
  toRecordedEvent,
  toSafeNumber,
  toStoreError,
  toStreamState,
} from './kurrentdb-mapping';
import { findPriorAppend } from './prior-append';

/** Attempts for `any`/`stream_exists` appends pinned to a scanned revision before handing the check to the server. */
const PINNED_ATTEMPTS = 3;

/**
 * The EventStore port on KurrentDB (EventStoreDB's successor). Thin: validation is the envelope's,
 * storage semantics are the server's, and this class only maps between the two. The one thing
 * the server does not give exactly is the port's idempotency rule; see `append`.
 */
export class KurrentDbEventStore implements EventStore {
  private closed = false;
  private readonly subscriptions = new Set<{ close(): Promise<void> }>();

  private constructor(private readonly client: KurrentDBClient) {}

  /** Connects and makes one read, so an unreachable server fails here rather than on the first append. */
  static async connect(connectionString: string): Promise<KurrentDbEventStore> {
    let client: KurrentDBClient;
    try {
      client = KurrentDBClient.connectionString(normalizeConnectionString(connectionString));
    } catch {
      // The string may hold credentials, and the parser's message quotes it: neither is repeated here.
      throw new StoreUnavailable('invalid KurrentDB connection string (expected kurrentdb://… or esdb://…)');
    }
    const store = new KurrentDbEventStore(client);
    try {
      await store.headPosition();
    } catch (error) {
      await client.dispose().catch(() => undefined);
      throw error;
    }
    return store;
  }

  /**
   * Idempotency, exactly as the port states it: before writing, the stream is scanned for the
   * new ids (backwards from the end, so a retry is found after reading just its tail). All of
   * them, consecutive and in order → the original result, no write. Some → IdempotencyConflict.
   * None → the write goes ahead with an expected revision, so nothing can slip in between the
   * scan and the write: the caller's own, or for `any`/`stream_exists` the revision just scanned.
   * Two racing retries of the same append then meet the server's native dedupe (same ids after
   * the same expected revision → the original result). The scan costs one read of the stream,
   * which is cheap for Flywheel's per-entity streams and free for a stream that does not exist.
   * Unlike the embedded adapter, ids are only looked for in the stream appended to: KurrentDB has
   * no index by id, and scanning $all per append is not an option.
   */
  async append(stream: string, events: readonly NewEvent[], options: AppendOptions = {}): Promise<AppendResult> {
    this.assertOpen();
    assertStreamName(stream);
    if (events.length === 0) throw new InvalidEvent('(none)', [{ path: 'events', message: 'an append needs at least one event' }]);
    for (const event of events) assertNewEvent(event);
    assertUniqueIds(events);
    const expected = options.expectedRevision ?? 'any';
    assertExpectedRevision(expected, events[0]?.type ?? '(none)');
    const ids = events.map((event) => event.id.toLowerCase());
    const proposed = events.map(toEventData);

    for (let attempt = 1; ; attempt += 1) {
      const prior = await this.scan(stream, ids);
      if (prior.kind === 'original') return prior.result;
      if (prior.kind === 'overlap') throw new IdempotencyConflict(stream, prior.ids);

      const pinned = expected === 'any' || expected === 'stream_exists';
      if (expected === 'stream_exists' && prior.lastRevision < 0) throw new ExpectedRevisionConflict(stream, expected, -1);
      const lastAttempt = pinned && attempt >= PINNED_ATTEMPTS;
      // Pinning turns "any" into "exactly what was scanned"; after a few lost races the server's own check has the last word.
      const state: AppendStreamState = pinned && !lastAttempt ? pinnedState(prior.lastRevision) : toStreamState(expected);

      const outcome = await this.write(stream, proposed, state);
      if (outcome.ok) return outcome.result;
      if (pinned && !lastAttempt) continue;
      // A rival may have appended these very ids in the meantime: scan once more before calling it a conflict.
      const again = await this.scan(stream, ids);
      if (again.kind === 'original') return again.result;
      if (again.kind === 'overlap') throw new IdempotencyConflict(stream, again.ids);
      throw new ExpectedRevisionConflict(stream, expected, outcome.actual);
    }
  }

  async readStream(stream: string, options: ReadStreamOptions = {}): Promise<readonly RecordedEvent[]> {
    this.assertOpen();
    assertStreamName(stream);
    const direction = options.direction ?? 'forwards';
    if (options.maxCount !== undefined) positiveCount(options.maxCount, 'maxCount');
    const raw = await this.readRaw(stream, {
      direction: direction === 'forwards' ? FORWARDS : BACKWARDS,
      fromRevision: toReadRevision(options.fromRevision, direction),
      maxCount: options.maxCount,
    });
    return raw.map(toRecordedEvent).filter((event): event is RecordedEvent => event !== undefined);
  }

  /**
   * Pages by reading one event more than asked (so `next` is null exactly when the end was
   * reached), in chunks, because the client-side half of the filter may drop some of what the
   * server returned. A forwards read from a position includes it; the port's cursor does not.
   */
  async readAll(options: ReadAllOptions = {}): Promise<ReadAllPage> {
    this.assertOpen();
    const direction = options.direction ?? 'forwards';
    const maxCount = pageSize(options.maxCount);
    const forwards = direction === 'forwards';
    const { server, keep } = planFilter(options.filter);
    if (!forwards && options.after !== undefined && options.after <= 0) return { events: [], next: null };

    let cursor = options.after !== undefined && options.after >= 0 ? options.after : undefined;
    const beyond = (position: number): boolean => cursor === undefined || (forwards ? position > cursor : position < cursor);
    const events: RecordedEvent[] = [];
    let exhausted = false;
    while (events.length <= maxCount && !exhausted) {
      const chunk = maxCount + 1 - events.length + (forwards && cursor !== undefined ? 1 : 0);
      const fromPosition: ReadPosition = toReadPosition(cursor, direction);
      let seen = 0;
      let last: number | undefined;
      try {
        for await (const resolved of this.client.readAll({
          direction: forwards ? FORWARDS : BACKWARDS,
          fromPosition,
          maxCount: chunk,
          filter: server,
          resolveLinkTos: false,
        })) {
          seen += 1;
          const position = positionOf(resolved);
          if (position === undefined || !beyond(position)) continue;
          last = position;
          const event = resolved.event;
          if (!event || !keep({ type: event.type, stream: event.streamId })) continue;
          const recorded = toRecordedEvent(resolved);
          if (recorded) events.push(recorded);
        }
      } catch (error) {
        throw toStoreError(error);
      }
      exhausted = seen < chunk || last === undefined;
      if (last !== undefined) cursor = last;
    }
    const page = events.slice(0, maxCount);
    const next = events.length > maxCount ? (page[page.length - 1]?.position ?? null) : null;
    return { events: page, next };
  }

  subscribeToAll(options: SubscribeOptions = {}): AllSubscription {
    // Like every other call after close, this fails through its promise (the first next()), not by throwing.
    if (this.closed) return failedSubscription(new StoreClosed());
    const after = options.after !== undefined && options.after >= 0 ? options.after : undefined;
    const { server, keep } = planFilter(options.filter);
    const subscription: AllStreamSubscription = this.client.subscribeToAll({
      fromPosition: toReadPosition(after, 'forwards'),
      filter: server,
      resolveLinkTos: false,
    });
    let closing = false;
    const close = async (): Promise<void> => {
      if (closing) return;
      closing = true;
      this.subscriptions.delete(handle);
      // Cancelling the call does not end the client's stream (grpc-node cancels silently), so it is destroyed too.
      await subscription.unsubscribe().catch(() => undefined);
      subscription.destroy();
    };
    const handle = { close };
    this.subscriptions.add(handle);

    async function* events(): AsyncGenerator<RecordedEvent> {
      try {
        for await (const resolved of subscription) {
          const position = positionOf(resolved);
          // The server resumes after the given position; the check keeps the port's exclusive cursor regardless.
          if (position === undefined || (after !== undefined && position <= after)) continue;
          const event = resolved.event;
          if (!event || !keep({ type: event.type, stream: event.streamId })) continue;
          const recorded = toRecordedEvent(resolved);
          if (recorded) yield recorded;
        }
      } catch (error) {
        if (closing) return;
        throw toStoreError(error);
      } finally {
        await close();
      }
    }
    const iterator = events();
    return { [Symbol.asyncIterator]: () => iterator, close };
  }

  /**
   * The newest non-system event's position, without parsing it: a lag probe must not fail on a
   * bad payload. The server drops `$` types; the rare non-system type inside a `$` stream is
   * skipped here, which is why the probe reads one event first and widens only when it must.
   */
  async headPosition(): Promise<number> {
    this.assertOpen();
    const { server, keep } = planFilter(undefined);
    let from: ReadPosition = END;
    try {
      for (let size = 1; ; size = Math.min(size * 10, MAX_READ_COUNT)) {
        let seen = 0;
        let last: number | undefined;
        for await (const resolved of this.client.readAll({ direction: BACKWARDS, fromPosition: from, filter: server, maxCount: size })) {
          seen += 1;
          const event = resolved.event;
          const position = positionOf(resolved);
          if (event && position !== undefined && keep({ type: event.type, stream: event.streamId })) return position;
          last = position ?? last;
        }
        if (seen < size || last === undefined) return -1;
        // Backwards reads exclude their starting position, so the next window starts just below this one.
        from = toReadPosition(last, 'backwards');
      }
    } catch (error) {
      throw toStoreError(error);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.subscriptions].map((subscription) => subscription.close()));
    await this.client.dispose();
  }

  private assertOpen(): void {
    if (this.closed) throw new StoreClosed();
  }

  private scan(stream: string, ids: readonly string[]): ReturnType<typeof findPriorAppend> {
    return findPriorAppend(ids, (fromRevision, maxCount) =>
      this.readRaw(stream, { direction: BACKWARDS, fromRevision, maxCount }),
    );
  }

  /** Raw items of one stream; an empty list when it does not exist (or was deleted). */
  private async readRaw(
    stream: string,
    options: { direction: typeof FORWARDS | typeof BACKWARDS; fromRevision: bigint | typeof END | 'start'; maxCount?: number },
  ): Promise<ResolvedEvent[]> {
    const items: ResolvedEvent[] = [];
    try {
      for await (const resolved of this.client.readStream(stream, { ...options, resolveLinkTos: false })) items.push(resolved);
    } catch (error) {
      if (error instanceof StreamNotFoundError || error instanceof StreamDeletedError) return [];
      throw toStoreError(error, { stream });
    }
    return items;
  }

  private async write(
    stream: string,
    events: ReturnType<typeof toEventData>[],
    state: AppendStreamState,
  ): Promise<{ ok: true; result: AppendResult } | { ok: false; actual: number }> {
    try {
      const result = await this.client.appendToStream(stream, events, { streamState: state });
      // throwOnAppendFailure=false in a connection string turns the conflict into a value.
      if (!result.success) return { ok: false, actual: toSafeNumber(result.nextExpectedRevision, 'revision') };
      const lastRevision = toSafeNumber(result.nextExpectedRevision, 'revision');
      const position = result.position ? fromPosition(result.position) : await this.positionAt(stream, lastRevision);
      return { ok: true, result: { lastRevision, position } };
    } catch (error) {
      if (error instanceof WrongExpectedVersionError) return { ok: false, actual: fromCurrentState(error.actualState) };
      throw toStoreError(error, { stream });
    }
  }

  /** Servers that do not report the append's position: read it back from the event itself. */
  private async positionAt(stream: string, revision: number): Promise<number> {
    const [resolved] = await this.readRaw(stream, { direction: FORWARDS, fromRevision: BigInt(revision), maxCount: 1 });
    const position = resolved ? positionOf(resolved) : undefined;
    if (position === undefined)
      throw new InvalidEvent('(append)', [{ path: 'position', message: `no position for ${stream}@${revision}` }]);
    return position;
  }
}

function failedSubscription(error: Error): AllSubscription {
  let failed = false;
  const iterator: AsyncIterator<RecordedEvent> = {
    // The failure is reported once; after that the subscription is simply over.
    next: async () => {
      if (failed) return { value: undefined, done: true };
      failed = true;
      throw error;
    },
    return: async () => ({ value: undefined, done: true }),
  };
  return { [Symbol.asyncIterator]: () => iterator, close: async () => undefined };
}

function pinnedState(lastRevision: number): AppendStreamState {
  return lastRevision < 0 ? NO_STREAM : BigInt(lastRevision);
}

function pageSize(maxCount: number | undefined): number {
  return Math.min(MAX_READ_COUNT, positiveCount(maxCount ?? DEFAULT_READ_COUNT, 'maxCount'));
}

function positiveCount(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer, got ${value}`);
  return value;
}

/** The port's event as the client's JSON event; metadata is stored as the event's JSON metadata. */
function toEventData(event: NewEvent) {
  // assertNewEvent has already checked this; the guard is what lets the compiler see it.
  if (!isJsonObject(event.data)) throw new InvalidEvent(event.type, [{ path: 'data', message: 'must be a JSON object' }]);
  return jsonEvent({ id: event.id, type: event.type, data: event.data, metadata: { ...event.metadata } });
}
