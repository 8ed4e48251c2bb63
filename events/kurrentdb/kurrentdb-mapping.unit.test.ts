import {
  AccessDeniedError,
  ANY,
  DeadlineExceededError,
  END,
  EVENT_TYPE,
  MaxAppendSizeExceededError,
  NO_STREAM,
  START,
  STREAM_EXISTS,
  STREAM_NAME,
  StreamDeletedError,
  UnavailableError,
  WrongExpectedVersionError,
  type AppendStreamState,
  type Filter,
  type ResolvedEvent,
} from '@kurrent/kurrentdb-client';
import { ExpectedRevisionConflict, IdempotencyConflict, InvalidEvent, StoreUnavailable, type ExpectedRevision } from '../errors';
import {
  assertExpectedRevision,
  fromCurrentState,
  fromPosition,
  normalizeConnectionString,
  parseMetadata,
  planFilter,
  positionOf,
  toReadPosition,
  toReadRevision,
  toRecordedEvent,
  toSafeNumber,
  toStoreError,
  toStreamState,
} from './kurrentdb-mapping';

const metadata = {
  correlationId: 'corr-1',
  causationId: null,
  actor: 'system:test',
  occurredAt: '2024-05-01T12:00:00.000Z',
  schemaVersion: 1,
};

/** A stored JSON event as the client hands it back, with overrides for the case at hand. */
function stored(overrides: Partial<{ streamId: string; type: string; metadata: unknown; position: { commit: bigint; prepare: bigint } | undefined }> = {}): ResolvedEvent {
  return {
    event: {
      streamId: overrides.streamId ?? 'interaction-42',
      id: '0b6a1f7e-3c1d-4b8e-9f0a-1a2b3c4d5e6f',
      isJson: true,
      revision: 3n,
      type: overrides.type ?? 'InteractionLogged',
      created: new Date('2024-05-01T12:00:01.234Z'),
      data: { text: 'héllo 👋', n: 1 },
      metadata: 'metadata' in overrides ? jsonOrUndefined(overrides.metadata) : { ...metadata, $correlationId: 'ignored' },
      position: 'position' in overrides ? overrides.position : { commit: 1234n, prepare: 1234n },
    },
  };
}

function jsonOrUndefined(value: unknown): Record<string, unknown> | string | undefined {
  if (typeof value === 'string' || value === undefined) return value;
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) return { ...value };
  throw new Error('test fixture: metadata must be an object, a string or undefined');
}

function regexOf(filter: Filter): RegExp {
  if (!('regex' in filter)) throw new Error('expected a regex filter');
  return new RegExp(filter.regex);
}

describe('expected revisions', () => {
  const states: [ExpectedRevision, AppendStreamState][] = [
    ['any', ANY],
    ['no_stream', NO_STREAM],
    ['stream_exists', STREAM_EXISTS],
    [0, 0n],
    [41, 41n],
  ];
  it.each(states)('maps %p to the client stream state', (expected, state) => {
    expect(toStreamState(expected)).toBe(state);
  });

  it.each([-1, 1.5, Number.NaN, Number.MAX_SAFE_INTEGER + 1])('rejects %p as an InvalidEvent, like the embedded adapter', (bad) => {
    expect(() => assertExpectedRevision(bad, 'ThingHappened')).toThrow(InvalidEvent);
  });

  it('reads the current state back as a revision, -1 for no stream', () => {
    expect(fromCurrentState(NO_STREAM)).toBe(-1);
    expect(fromCurrentState(7n)).toBe(7);
  });

  it('reads a stream from the start or the end unless a revision is given', () => {
    expect(toReadRevision(undefined, 'forwards')).toBe(START);
    expect(toReadRevision(undefined, 'backwards')).toBe(END);
    expect(toReadRevision(5, 'backwards')).toBe(5n);
    expect(() => toReadRevision(-1, 'forwards')).toThrow(RangeError);
  });
});

describe('positions', () => {
  it('uses the commit position as the port position', () => {
    expect(fromPosition({ commit: 1234n, prepare: 1234n })).toBe(1234);
  });

  it('resumes from commit = prepare = the port position, or the start/end when there is none', () => {
    expect(toReadPosition(1234, 'forwards')).toEqual({ commit: 1234n, prepare: 1234n });
    expect(toReadPosition(undefined, 'forwards')).toBe(START);
    expect(toReadPosition(-1, 'forwards')).toBe(START);
    expect(toReadPosition(undefined, 'backwards')).toBe(END);
  });

  it('refuses positions a number cannot hold exactly', () => {
    expect(toSafeNumber(2n ** 53n - 1n, 'position')).toBe(Number.MAX_SAFE_INTEGER);
    expect(() => toSafeNumber(2n ** 53n, 'position')).toThrow(RangeError);
  });

  it('takes an item position from its event, else from the commit position of the item', () => {
    expect(positionOf(stored())).toBe(1234);
    expect(positionOf({ ...stored({ position: undefined }), commitPosition: 99n })).toBe(99);
    expect(positionOf({})).toBeUndefined();
  });
});

describe('filters', () => {
  it('with nothing to filter, asks the server to exclude system events and drops $ streams too', () => {
    const { server, keep } = planFilter(undefined);
    expect(server.filterOn).toBe(EVENT_TYPE);
    expect(regexOf(server).test('$metadata')).toBe(false);
    expect(regexOf(server).test('InteractionLogged')).toBe(true);
    expect(keep({ type: 'InteractionLogged', stream: 'interaction-1' })).toBe(true);
    expect(keep({ type: '$>', stream: '$ce-interaction' })).toBe(false);
    expect(keep({ type: 'InteractionLogged', stream: '$copies-1' })).toBe(false);
  });

  it('matches event types exactly on the server, not as prefixes', () => {
    const { server, keep } = planFilter({ eventTypes: ['Foo', 'Bar'] });
    expect(server.filterOn).toBe(EVENT_TYPE);
    const regex = regexOf(server);
    expect(['Foo', 'Bar'].map((t) => regex.test(t))).toEqual([true, true]);
    expect(['FooBar', 'XFoo', 'Baz'].map((t) => regex.test(t))).toEqual([false, false, false]);
    expect(keep({ type: 'FooBar', stream: 'a-1' })).toBe(false);
  });

  it('sends stream prefixes to the server when there are no event types', () => {
    const { server, keep } = planFilter({ streamPrefixes: ['interaction-', 'dataset-'] });
    expect(server).toMatchObject({ filterOn: STREAM_NAME, prefixes: ['interaction-', 'dataset-'] });
    expect(keep({ type: 'X', stream: 'dataset-9' })).toBe(true);
    expect(keep({ type: 'X', stream: 'datasets-9' })).toBe(false);
  });

  it('with both, filters types on the server and prefixes on the client', () => {
    const { server, keep } = planFilter({ eventTypes: ['Foo'], streamPrefixes: ['a-'] });
    expect(server.filterOn).toBe(EVENT_TYPE);
    expect(keep({ type: 'Foo', stream: 'a-1' })).toBe(true);
    expect(keep({ type: 'Foo', stream: 'b-1' })).toBe(false);
    expect(keep({ type: 'Bar', stream: 'a-1' })).toBe(false);
  });

  it('treats empty lists, and an empty prefix, as no constraint', () => {
    expect(planFilter({ eventTypes: [], streamPrefixes: [] }).keep({ type: 'X', stream: 'q-1' })).toBe(true);
    const { server, keep } = planFilter({ streamPrefixes: ['a-', ''] });
    expect(server.filterOn).toBe(EVENT_TYPE);
    expect(keep({ type: 'X', stream: 'q-1' })).toBe(true);
  });
});

describe('recorded events', () => {
  it('parses a stored JSON event into the envelope, recordedAt from created, extra metadata dropped', () => {
    expect(toRecordedEvent(stored())).toEqual({
      id: '0b6a1f7e-3c1d-4b8e-9f0a-1a2b3c4d5e6f',
      type: 'InteractionLogged',
      data: { text: 'héllo 👋', n: 1 },
      metadata,
      stream: 'interaction-42',
      revision: 3,
      position: 1234,
      recordedAt: '2024-05-01T12:00:01.234Z',
    });
  });

  it('skips system events and items without an event', () => {
    expect(toRecordedEvent(stored({ type: '$metadata' }))).toBeUndefined();
    expect(toRecordedEvent(stored({ streamId: '$$interaction-42' }))).toBeUndefined();
    expect(toRecordedEvent({ commitPosition: 5n })).toBeUndefined();
  });

  it.each([
    ['a binary event', (): ResolvedEvent => ({ event: { streamId: 'a-1', id: '0b6a1f7e-3c1d-4b8e-9f0a-1a2b3c4d5e6f', isJson: false, revision: 0n, type: 'Foo', created: new Date(), data: new Uint8Array([1]), metadata: undefined, position: { commit: 1n, prepare: 1n } } })],
    ['no metadata', () => stored({ metadata: undefined })],
    ['metadata that is not the envelope', () => stored({ metadata: { actor: 'x' } })],
    ['a stream that is not <category>-<id>', () => stored({ streamId: 'NoCategory' })],
    ['no position at all', () => stored({ position: undefined })],
  ])('rejects %s as an InvalidEvent', (_, make) => {
    expect(() => toRecordedEvent(make())).toThrow(InvalidEvent);
  });

  it('parses metadata only when every envelope field has its type', () => {
    expect(parseMetadata(metadata)).toEqual(metadata);
    expect(parseMetadata({ ...metadata, causationId: 7 })).toBeUndefined();
    expect(parseMetadata([metadata])).toBeUndefined();
    expect(parseMetadata('{}')).toBeUndefined();
  });
});

describe('errors', () => {
  it('turns a wrong expected version into ExpectedRevisionConflict with the actual revision', () => {
    const error = toStoreError(new WrongExpectedVersionError(undefined, { streamName: 'a-1', expected: 0n, current: 2n }));
    expect(error).toBeInstanceOf(ExpectedRevisionConflict);
    expect(error).toMatchObject({ stream: 'a-1', expected: 0, actual: 2 });
  });

  it('reports a missing stream as actual -1, and keeps the caller’s own expectation when given', () => {
    const driver = new WrongExpectedVersionError(undefined, { streamName: 'a-1', expected: STREAM_EXISTS, current: NO_STREAM });
    expect(toStoreError(driver)).toMatchObject({ expected: 'stream_exists', actual: -1 });
    expect(toStoreError(driver, { stream: 'a-1', expected: 'any' })).toMatchObject({ expected: 'any', actual: -1 });
  });

  it.each([
    ['unavailable', new UnavailableError(undefined, 'connection refused')],
    ['a deadline', new DeadlineExceededError()],
    ['access denied', new AccessDeniedError()],
    ['a deleted stream', StreamDeletedError.fromStreamName('a-1')],
    ['a plain error', new Error('socket hang up')],
    ['a non-error', 'boom'],
  ])('turns %s into StoreUnavailable, keeping the cause', (_, driver) => {
    const error = toStoreError(driver);
    expect(error).toBeInstanceOf(StoreUnavailable);
    expect(error).toHaveProperty('cause', driver);
    expect(error.message).not.toMatch(/:\s*$/);
  });

  it('turns an oversized append into InvalidEvent', () => {
    expect(toStoreError(MaxAppendSizeExceededError.fromMaxAppendSize(1024))).toBeInstanceOf(InvalidEvent);
  });

  it('passes the port’s own errors and RangeErrors through untouched', () => {
    const own = new IdempotencyConflict('a-1', ['x']);
    const range = new RangeError('too big');
    expect(toStoreError(own)).toBe(own);
    expect(toStoreError(range)).toBe(range);
  });
});

describe('connection strings', () => {
  it('accepts EventStoreDB-era schemes by rewriting them to KurrentDB ones', () => {
    expect(normalizeConnectionString('esdb://localhost:2113?tls=false')).toBe('kurrentdb://localhost:2113?tls=false');
    expect(normalizeConnectionString(' esdb+discover://a,b ')).toBe('kurrentdb+discover://a,b');
    expect(normalizeConnectionString('kurrentdb://u:p@h:2113')).toBe('kurrentdb://u:p@h:2113');
  });
});
