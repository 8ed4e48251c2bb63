import type { RecordedEvent } from '../events/envelope';
import type { Document, DocumentOperation } from './read-store';

/** Events a projection could not apply, kept with the error so they can be fixed and retried. */
export const PARKED_COLLECTION = '_parked';

export interface ParkedEvent extends Document {
  readonly projection: string;
  readonly position: number;
  readonly eventId: string;
  readonly eventType: string;
  readonly stream: string;
  readonly errorName: string;
  readonly error: string;
  readonly attempts: number;
  readonly parkedAt: string;
}

export function parkOperation(
  projection: string,
  event: RecordedEvent,
  error: unknown,
  attempts: number,
  now: Date,
): DocumentOperation {
  const err = error instanceof Error ? error : new Error(String(error));
  return {
    op: 'replace',
    collection: PARKED_COLLECTION,
    id: `${projection}:${event.position}`,
    doc: {
      projection,
      position: event.position,
      eventId: event.id,
      eventType: event.type,
      stream: event.stream,
      errorName: err.name,
      error: err.message.slice(0, 4_000),
      attempts,
      parkedAt: now.toISOString(),
    },
  };
}
