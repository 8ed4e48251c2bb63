/**
 * The event store port's own errors. Adapters translate their driver's failures into these,
 * so nothing above the port ever inspects a driver error or matches an error string.
 */
export abstract class EventStoreError extends Error {
  abstract readonly code: string;
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

export type ExpectedRevision = 'any' | 'no_stream' | 'stream_exists' | number;

/** The stream was not at the revision the caller expected. `actual` is -1 when the stream does not exist. */
export class ExpectedRevisionConflict extends EventStoreError {
  readonly code = 'EXPECTED_REVISION_CONFLICT';
  constructor(
    readonly stream: string,
    readonly expected: ExpectedRevision,
    readonly actual: number,
  ) {
    super(`stream ${stream}: expected revision ${String(expected)}, actual ${actual}`);
  }
}

export class InvalidStreamName extends EventStoreError {
  readonly code = 'INVALID_STREAM_NAME';
  constructor(readonly stream: string) {
    super(`invalid stream name ${JSON.stringify(stream)}: expected <category>-<id>`);
  }
}

export class InvalidEventType extends EventStoreError {
  readonly code = 'INVALID_EVENT_TYPE';
  constructor(readonly eventType: string) {
    super(`invalid event type ${JSON.stringify(eventType)}`);
  }
}

/** An event (new or stored) that does not satisfy its envelope or its catalogued schema. */
export class InvalidEvent extends EventStoreError {
  readonly code = 'INVALID_EVENT';
  constructor(
    readonly eventType: string,
    readonly issues: readonly { path: string; message: string }[],
  ) {
    super(`invalid ${eventType}: ${issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ')}`);
  }
}

/** Some, but not all, of the appended event ids are already in the stream, or not in the same order. */
export class IdempotencyConflict extends EventStoreError {
  readonly code = 'IDEMPOTENCY_CONFLICT';
  constructor(
    readonly stream: string,
    readonly eventIds: readonly string[],
  ) {
    super(`stream ${stream}: events ${eventIds.join(', ')} overlap earlier appends only partially`);
  }
}

export class StoreClosed extends EventStoreError {
  readonly code = 'STORE_CLOSED';
  constructor() {
    super('the event store is closed');
  }
}

export class StoreUnavailable extends EventStoreError {
  readonly code = 'STORE_UNAVAILABLE';
  constructor(
    message: string,
    override readonly cause?: unknown,
  ) {
    super(message);
  }
}
