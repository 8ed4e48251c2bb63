/**
 * Pure translations between the EventStore port and the KurrentDB client: revisions, positions,
 * filters, recorded events and errors. No I/O here, so all of it is unit-tested without a server.
 */
import {
  AccessDeniedError,
  ANY,
  CancelledError,
  DeadlineExceededError,
  END,
  eventTypeFilter,
  excludeSystemEvents,
  MaxAppendSizeExceededError,
  NO_STREAM,
  NotLeaderError,
  START,
  STREAM_EXISTS,
  StreamDeletedError,
  StreamTombstonedError,
  streamNameFilter,
  TimeoutError,
  UnavailableError,
  UnknownError,
  WrongExpectedVersionError,
  type AllStreamResolvedEvent,
  type AppendStreamState,
  type CurrentStreamState,
  type Filter,
  type Position,
  type ReadPosition,
  type ReadRevision,
  type ResolvedEvent,
} from '@kurrent/kurrentdb-client';
import { assertNewEvent, assertStreamName, type EventMetadata, type RecordedEvent } from '../envelope';
import {
  EventStoreError,
  ExpectedRevisionConflict,
  InvalidEvent,
  InvalidStreamName,
  StoreUnavailable,
  type ExpectedRevision,
} from '../errors';
import type { AllFilter } from '../event-store';

// ── connection ───────────────────────────────────────────────────────────────────────────────

/**
 * EventStoreDB-era URLs (`esdb://`, `esdb+discover://`) name the same protocol, but this client
 * only parses the KurrentDB schemes; existing deployments keep their EVENTSTORE_URL.
 */
export function normalizeConnectionString(connectionString: string): string {
  return connectionString.trim().replace(/^esdb(\+discover)?:\/\//i, (_, discover: string | undefined) => `kurrentdb${discover ?? ''}://`);
}

// ── revisions ────────────────────────────────────────────────────────────────────────────────

/** The same check, and the same error, as the embedded adapter: a bad expectation is a bad append. */
export function assertExpectedRevision(expected: ExpectedRevision, eventType: string): void {
  if (expected === 'any' || expected === 'no_stream' || expected === 'stream_exists') return;
  if (typeof expected === 'number' && Number.isSafeInteger(expected) && expected >= 0) return;
  throw new InvalidEvent(eventType, [
    { path: 'expectedRevision', message: 'any, no_stream, stream_exists or a non-negative integer' },
  ]);
}

/** The port's expected revision as the client's stream state. */
export function toStreamState(expected: ExpectedRevision): AppendStreamState {
  switch (expected) {
    case 'any':
      return ANY;
    case 'no_stream':
      return NO_STREAM;
    case 'stream_exists':
      return STREAM_EXISTS;
    default:
      return BigInt(nonNegativeInteger(expected, 'expected revision'));
  }
}

/** The client's "current state" of a stream as the port's revision: -1 when it does not exist. */
export function fromCurrentState(state: CurrentStreamState): number {
  return state === NO_STREAM ? -1 : toSafeNumber(state, 'stream revision');
}

export function toReadRevision(fromRevision: number | undefined, direction: 'forwards' | 'backwards'): ReadRevision {
  if (fromRevision === undefined) return direction === 'forwards' ? START : END;
  return BigInt(nonNegativeInteger(fromRevision, 'fromRevision'));
}

// ── positions ────────────────────────────────────────────────────────────────────────────────

/**
 * The port's global position is the event's commit position. Every event written by a normal
 * append (an implicit transaction) has commit == prepare == its own log position, so the commit
 * position alone identifies it and is strictly increasing across $all. Only legacy explicit
 * transactions (TCP API, never used here) share one commit position between several events.
 */
export function fromPosition(position: Position): number {
  return toSafeNumber(position.commit, 'position');
}

/**
 * Resuming needs a full {commit, prepare} pair; by the reasoning above both halves are the
 * port's number. Negative or absent means "from the start" (forwards) or "the end" (backwards).
 */
export function toReadPosition(after: number | undefined, direction: 'forwards' | 'backwards'): ReadPosition {
  if (after === undefined || after < 0) return direction === 'forwards' ? START : END;
  const p = BigInt(nonNegativeInteger(after, 'position'));
  return { commit: p, prepare: p };
}

/** Positions stay below 2^53 for any log smaller than 9 PB; past that a number would lie. */
export function toSafeNumber(value: bigint, what: string): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER))
    throw new RangeError(`${what} ${value} does not fit in a JavaScript number`);
  return Number(value);
}

function nonNegativeInteger(value: number, what: string): number {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`${what} must be a non-negative integer, got ${value}`);
  return value;
}

// ── filters ──────────────────────────────────────────────────────────────────────────────────

export interface FilterPlan {
  /** The one filter the server applies (it takes either event types or stream names, not both). */
  readonly server: Filter;
  /** Applied to every event the server returns: system events out, and the rest of the port's filter. */
  readonly keep: (event: { readonly type: string; readonly stream: string }) => boolean;
}

/**
 * Event types go to the server as an anchored regex (its prefix filter would let `Foo` match
 * `FooBar`); stream prefixes as a prefix filter when there are no event types; with neither, the
 * server drops `$`-typed system events. The client-side predicate repeats all of it, plus
 * `$`-prefixed streams, so correctness never depends on which half the server did.
 * An empty list is treated like an absent one: no constraint on that dimension.
 */
export function planFilter(filter: AllFilter | undefined): FilterPlan {
  const types = filter?.eventTypes?.length ? new Set(filter.eventTypes) : undefined;
  // An empty prefix matches every stream, so it cancels the prefix constraint (as in the embedded adapter).
  const listed = filter?.streamPrefixes ?? [];
  const prefixes = listed.length > 0 && !listed.includes('') ? [...new Set(listed)] : undefined;
  let server: Filter;
  if (types) server = eventTypeFilter({ regex: `^(?:${[...types].map(escapeRegex).join('|')})$` });
  else if (prefixes) server = streamNameFilter({ prefixes });
  else server = excludeSystemEvents();
  const keep = ({ type, stream }: { readonly type: string; readonly stream: string }): boolean =>
    !isSystem(type, stream) &&
    (types === undefined || types.has(type)) &&
    (prefixes === undefined || prefixes.some((prefix) => stream.startsWith(prefix)));
  return { server, keep };
}

export function isSystem(type: string, stream: string): boolean {
  return type.startsWith('$') || stream.startsWith('$');
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

// ── recorded events ──────────────────────────────────────────────────────────────────────────

/** What the client hands back for one read or subscription item, whether from a stream or $all. */
export type ClientResolvedEvent = ResolvedEvent | AllStreamResolvedEvent;

/** The position of a raw item, even one this adapter will not return (system events, links). */
export function positionOf(resolved: ClientResolvedEvent): number | undefined {
  if (resolved.event?.position) return fromPosition(resolved.event.position);
  if (resolved.commitPosition !== undefined) return toSafeNumber(resolved.commitPosition, 'position');
  return undefined;
}

/**
 * A stored event parsed back into the port's envelope. Undefined for items that are not events
 * of ours to return (system streams and types, or a link whose target is gone). Anything else
 * that does not carry the envelope is an InvalidEvent: stored payloads are parsed, not trusted.
 */
export function toRecordedEvent(resolved: ClientResolvedEvent): RecordedEvent | undefined {
  const event = resolved.event;
  if (!event || isSystem(event.type, event.streamId)) return undefined;
  const invalid = (path: string, message: string): InvalidEvent => new InvalidEvent(event.type, [{ path, message }]);
  try {
    assertStreamName(event.streamId);
  } catch (error) {
    if (error instanceof InvalidStreamName) throw invalid('stream', error.message);
    throw error;
  }
  if (!event.isJson || !isJsonObject(event.data)) throw invalid('data', 'stored data is not a JSON object');
  const metadata = parseMetadata(event.metadata);
  if (!metadata) throw invalid('metadata', 'stored metadata is not the envelope metadata');
  const position = positionOf(resolved);
  if (position === undefined) throw invalid('position', 'the server reported no position');
  const recordedAt = event.created.getTime();
  if (Number.isNaN(recordedAt)) throw invalid('recordedAt', 'the server reported no creation time');
  const recorded: RecordedEvent = {
    id: event.id,
    type: event.type,
    data: event.data,
    metadata,
    stream: event.streamId,
    revision: toSafeNumber(event.revision, 'revision'),
    position,
    recordedAt: new Date(recordedAt).toISOString(),
  };
  assertNewEvent(recorded);
  return recorded;
}

/** The envelope metadata, or undefined when the stored value is not it. Extra keys are dropped. */
export function parseMetadata(value: unknown): EventMetadata | undefined {
  if (!isJsonObject(value)) return undefined;
  const { correlationId, causationId, actor, occurredAt, schemaVersion } = value;
  if (typeof correlationId !== 'string' || typeof actor !== 'string' || typeof occurredAt !== 'string') return undefined;
  if (causationId !== null && typeof causationId !== 'string') return undefined;
  if (typeof schemaVersion !== 'number') return undefined;
  return { correlationId, causationId, actor, occurredAt, schemaVersion };
}

export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);
}

// ── errors ───────────────────────────────────────────────────────────────────────────────────

export interface ErrorContext {
  readonly stream?: string;
  readonly expected?: ExpectedRevision;
}

/**
 * Every failure leaving the adapter is one of the port's errors. Connection-level trouble (and
 * anything unrecognised, which is what an unreachable server looks like from a native client)
 * becomes StoreUnavailable; callers may retry those.
 */
export function toStoreError(error: unknown, context: ErrorContext = {}): Error {
  // RangeError: a position or count the port cannot represent; the caller's bug, not the server's.
  if (error instanceof EventStoreError || error instanceof RangeError) return error;
  if (error instanceof WrongExpectedVersionError) {
    return new ExpectedRevisionConflict(
      context.stream ?? error.streamName,
      context.expected ?? fromStreamState(error.expectedState),
      fromCurrentState(error.actualState),
    );
  }
  if (error instanceof MaxAppendSizeExceededError)
    return new InvalidEvent('(append)', [{ path: '', message: `the append is larger than the server's ${error.maxAppendSize} bytes` }]);
  if (error instanceof StreamDeletedError || error instanceof StreamTombstonedError)
    return new StoreUnavailable(`stream ${context.stream ?? ''} was deleted on the server; Flywheel never deletes streams`, error);
  if (error instanceof AccessDeniedError) return new StoreUnavailable('KurrentDB denied access: check the credentials', error);
  if (
    error instanceof UnavailableError ||
    error instanceof DeadlineExceededError ||
    error instanceof TimeoutError ||
    error instanceof NotLeaderError ||
    error instanceof CancelledError ||
    error instanceof UnknownError
  )
    return new StoreUnavailable(`KurrentDB is unavailable: ${error.message || error.type}`, error);
  return new StoreUnavailable(`KurrentDB request failed: ${error instanceof Error ? error.message || error.name : String(error)}`, error);
}

function fromStreamState(state: AppendStreamState): ExpectedRevision {
  if (state === ANY || state === NO_STREAM || state === STREAM_EXISTS) return state;
  return toSafeNumber(state, 'expected revision');
}
