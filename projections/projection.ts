import type { DomainEvent } from '../events/catalogue';
import type { BusMessage } from '../services/bus/bus';
import type { DocumentOperation, IndexSpec } from './read-store';

/** An operation as a projection returns it; the projector stamps the event's position on it. */
export type ProjectedOperation = DocumentOperation;

export interface Notification {
  readonly topic: string;
  readonly message: BusMessage;
}

/**
 * A read model: a pure function from one event to the document operations that keep it
 * up to date. At most one operation per document per event (each is guarded by the event's
 * position, so a second one on the same document would be skipped).
 */
export interface Projection {
  /** Also the checkpoint's name. */
  readonly name: string;
  readonly collections: readonly { readonly name: string; readonly indexes: readonly IndexSpec[] }[];
  /** Event types the projection reads; others only advance its checkpoint. */
  readonly eventTypes: ReadonlySet<string>;
  project(event: DomainEvent): readonly ProjectedOperation[];
  /** What to announce on the bus once the event's operations are committed. */
  notify?(event: DomainEvent): readonly Notification[];
}

export function projectionTopic(name: string): string {
  return `projection.${name}`;
}
