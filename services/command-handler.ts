import type { DomainEvent, NewDomainEvent } from '../events/catalogue';
import type { DomainEventStore } from '../events/catalogued-event-store';
import { ExpectedRevisionConflict, type ExpectedRevision } from '../events/errors';

/** A pure decider: what a command makes of a stream's state, and how events move the state. */
export interface Decider<C, S> {
  decide(command: C, state: S): NewDomainEvent[];
  evolve(state: S, event: NewDomainEvent): S;
  readonly initialState: S;
}

export interface Loaded<S> {
  readonly state: S;
  /** The stream as read, oldest first. */
  readonly history: readonly DomainEvent[];
}

export interface Handled<S> extends Loaded<S> {
  /**
   * What the decider decided, durable once this resolves: appended by this call, or already in
   * the stream under the same event ids (the store answers such a retry with the original).
   * Empty when the decider found nothing to add on the stream's history (a repeat, a no-op).
   */
  readonly events: readonly NewDomainEvent[];
  /**
   * Global position of the last event appended; for a retry the store recognised, of the
   * original append; when nothing was appended, of the stream's last event (-1: none).
   */
  readonly position: number;
}

/**
 * Deciding without reading the stream first, for commands that almost always meet a known
 * state (a new interaction's empty stream, an interaction whose facts are cached). The guess
 * is checked by the append: an ExpectedRevisionConflict, or a retry the store answered with an
 * earlier append's result, sends the command back to be decided on the stream's history.
 */
export interface Optimistic<S> {
  /** The state the command is first decided against. */
  readonly assume: S;
  readonly expectedRevision: ExpectedRevision;
  /**
   * Tell a retry from a new append by an answer older than the append itself (one head read).
   * Needed when event ids do not cover the whole content (a signal's id is its interaction's and
   * its own): the store answers a reused id with the original, which may hold other content.
   */
  readonly detectRetry?: boolean;
}

export interface HandleOptions<S> {
  readonly optimistic?: Optimistic<S>;
  /** Decisions on a history that another writer moved meanwhile, at most. Default 3. */
  readonly maxAttempts?: number;
}

export async function loadStream<S>(store: DomainEventStore, stream: string, decider: Decider<unknown, S>): Promise<Loaded<S>> {
  const history = await store.readStream(stream);
  return { state: history.reduce(decider.evolve, decider.initialState), history };
}

/**
 * Load, decide, append: the stream's history is folded into state, the pure decider answers
 * with events, and they are appended at the revision that was read. Another writer in between
 * makes the append conflict, and the command is decided again on the new history. The one
 * command handler of every feature; see `Optimistic` for the variant that skips the first read.
 */
export async function handleCommand<C, S>(
  store: DomainEventStore,
  stream: string,
  decider: Decider<C, S>,
  command: C,
  options: HandleOptions<S> = {},
): Promise<Handled<S>> {
  if (options.optimistic) {
    const handled = await optimistically(store, stream, decider, command, options.optimistic);
    if (handled) return handled;
  }
  const maxAttempts = options.maxAttempts ?? 3;
  for (let attempt = 1; ; attempt++) {
    const { state, history } = await loadStream(store, stream, decider);
    const events = decider.decide(command, state);
    const last = history[history.length - 1];
    if (events.length === 0) return { events, state, history, position: last?.position ?? -1 };
    try {
      const result = await store.append(stream, events, { expectedRevision: last?.revision ?? 'no_stream' });
      return { events, state: events.reduce(decider.evolve, state), history, position: result.position };
    } catch (error) {
      if (!(error instanceof ExpectedRevisionConflict) || attempt >= maxAttempts) throw error;
    }
  }
}

/** The optimistic attempt: handled, or null when the command must be decided on the history. */
async function optimistically<C, S>(
  store: DomainEventStore,
  stream: string,
  decider: Decider<C, S>,
  command: C,
  optimistic: Optimistic<S>,
): Promise<Handled<S> | null> {
  const events = decider.decide(command, optimistic.assume);
  // Nothing to do in the assumed state says nothing about the real one.
  if (events.length === 0) return null;
  const before = optimistic.detectRetry ? await store.headPosition() : null;
  let position: number;
  try {
    position = (await store.append(stream, events, { expectedRevision: optimistic.expectedRevision })).position;
  } catch (error) {
    if (error instanceof ExpectedRevisionConflict) return null;
    throw error;
  }
  if (before === null || position > before) {
    return { events, state: events.reduce(decider.evolve, optimistic.assume), history: [], position };
  }
  // The store answered with an append from before this one began: a retry. Whether it repeats
  // this command or conflicts with it is the decider's call, on the stream as it is.
  const { state, history } = await loadStream(store, stream, decider);
  if (decider.decide(command, state).length > 0) return null;
  return { events: [], state, history, position };
}
