import type { DomainEvent } from '../events/catalogue';
import { dispatch, handledTypes, type EventHandlers } from '../events/catalogue/handlers';
import type { DocumentOperation, IndexSpec } from './read-store';

/** An operation as a projection returns it; the projector stamps the event's position on it. */
export type ProjectedOperation = DocumentOperation;

/** An announcement of what a committed batch changed, for the bus (GraphQL subscriptions, caches of other instances). */
export interface Notification {
  readonly topic: string;
  readonly message: Readonly<Record<string, unknown>>;
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
  /**
   * Names this read model's documents were kept under before (a rename, or a split of one read
   * model into several over the same collections): a data dir that has only the old checkpoint
   * goes on from it instead of replaying the log. See Projector.start.
   */
  readonly formerly?: readonly string[];
}

export function projectionTopic(name: string): string {
  return `projection.${name}`;
}

export interface ProjectionSpec {
  readonly name: string;
  readonly collections: Projection['collections'];
  /** One handler per event type the read model reads: the types it subscribes to are these keys. */
  readonly on: EventHandlers<[], readonly ProjectedOperation[]>;
  /** What to announce once an event's operations are committed (only for types in `on`). */
  readonly notify?: EventHandlers<[], readonly Notification[]>;
  readonly formerly?: readonly string[];
}

/**
 * A projection from a typed handler map: each handler gets its own event type, no switch, no
 * hand-kept type list. A handler that returns operations of different shapes states its return
 * type (`(event): ProjectedOperation[] => …`): without it TypeScript unifies the array's elements
 * into one object type, which no longer fits the operation union.
 */
export function defineProjection(spec: ProjectionSpec): Projection {
  const { notify } = spec;
  return {
    name: spec.name,
    collections: spec.collections,
    eventTypes: handledTypes(spec.on),
    project: (event) => dispatch(spec.on, event.type, event) ?? [],
    ...(notify ? { notify: (event: DomainEvent) => dispatch(notify, event.type, event) ?? [] } : {}),
    ...(spec.formerly ? { formerly: spec.formerly } : {}),
  };
}
