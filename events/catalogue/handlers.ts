import type { DomainEvent, DomainEventType } from './index';

/** Each catalogued event type, to the shape of its events. */
export type DomainEventMap = { [T in DomainEventType]: Extract<DomainEvent, { readonly type: T }> };

/**
 * One handler per event type that a projection or a reactor reads. The keys are the types it
 * subscribes to (nothing hand-kept beside them), and each handler receives its own event type.
 */
export type EventHandlers<A extends readonly unknown[], R> = { readonly [T in DomainEventType]?: (event: DomainEventMap[T], ...args: A) => R };

/** The event types a handler map reads. */
export function handledTypes(handlers: object): ReadonlySet<string> {
  return new Set(Object.keys(handlers));
}

/**
 * Calls the handler for the event's type, or answers undefined when there is none. The type is
 * passed beside the event so the compiler can pair the handler with its event (call it as
 * `dispatch(handlers, event.type, event, …)`).
 */
export function dispatch<T extends DomainEventType, A extends readonly unknown[], R>(
  handlers: EventHandlers<A, R>,
  type: T,
  event: DomainEventMap[T],
  ...args: A
): R | undefined {
  const handler = handlers[type];
  return handler ? handler(event, ...args) : undefined;
}
