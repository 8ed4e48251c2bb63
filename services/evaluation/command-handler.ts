import type { NewDomainEvent } from '../../events/catalogue';
import type { DomainEventStore } from '../../events/catalogued-event-store';
import { ExpectedRevisionConflict } from '../../events/errors';
import type { DomainEvent } from '../../events/catalogue';

export interface Handled<S> {
  readonly events: readonly NewDomainEvent[];
  /** The state after the new events. */
  readonly state: S;
  /** Global position of the last event appended, or of the stream's last event when nothing was. */
  readonly position: number;
}

/**
 * Load, decide, append: the stream's history is folded into state, the pure decider answers
 * with events, and they are appended at the revision that was read. Another writer in between
 * makes the append conflict, and the command is decided again on the new history.
 */
export async function handleCommand<C, S>(
  store: DomainEventStore,
  stream: string,
  decider: { decide(command: C, state: S): NewDomainEvent[]; evolve(state: S, event: NewDomainEvent): S; readonly initialState: S },
  command: (history: readonly DomainEvent[]) => C,
  maxAttempts = 3,
): Promise<Handled<S>> {
  for (let attempt = 1; ; attempt++) {
    const history = await store.readStream(stream);
    const state = history.reduce(decider.evolve, decider.initialState);
    const events = decider.decide(command(history), state);
    const last = history[history.length - 1];
    if (events.length === 0) return { events, state, position: last?.position ?? -1 };
    try {
      const result = await store.append(stream, events, { expectedRevision: last?.revision ?? 'no_stream' });
      return { events, state: events.reduce(decider.evolve, state), position: result.position };
    } catch (error) {
      if (!(error instanceof ExpectedRevisionConflict) || attempt >= maxAttempts) throw error;
    }
  }
}
