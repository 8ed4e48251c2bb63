import type { DomainEvent, NewDomainEvent } from '../events/catalogue';
import { dispatch, handledTypes, type EventHandlers } from '../events/catalogue/handlers';
import type { CausalMetadata, NewEvent, RecordedEvent } from '../events/envelope';
import type { AllSubscription, AppendOptions, EventStore } from '../events/event-store';
import { batchesAtHand } from '../lib/batches';
import { deterministicUuid } from '../lib/ids';
import type { Logger } from '../lib/logger';
import { CheckpointedSubscriber } from '../projections/checkpointed-subscriber';
import { parkOperation } from '../projections/parked';
import type { ReadStore } from '../projections/read-store';

/**
 * Events a reactor wants appended, to one stream: catalogued events (built with their
 * definition's `create`), so the compiler checks what a reactor appends.
 */
export interface Reaction<E extends NewEvent = NewDomainEvent> {
  readonly stream: string;
  readonly events: readonly E[];
  readonly expectedRevision?: AppendOptions['expectedRevision'];
}

export interface ReactorContext {
  /**
   * The id of the n-th event this reactor derives from the causing event: the same on every
   * replay, so a crash-restart or a rebuild re-appends nothing (the store treats it as a retry).
   */
  eventId(kind: string): string;
  /** Metadata for a derived event: caused by the event at hand, in its correlation. */
  metadata(): CausalMetadata;
  readonly now: Date;
}

/**
 * A process manager: reads `$all` from its checkpoint, does work for the events it cares about
 * (detect, judge, embed, validate) and appends the results as new events. `react` may do I/O;
 * what it returns must depend only on the event and what it read, so a replay derives the same
 * ids and appends nothing twice.
 */
export interface Reactor<E extends NewEvent = NewDomainEvent> {
  readonly name: string;
  readonly eventTypes: ReadonlySet<string>;
  react(event: DomainEvent, context: ReactorContext): Promise<readonly Reaction<E>[]>;
  /**
   * Opt-in concurrency, for reactors that must keep up with a busy log: events with different
   * keys do not depend on each other's reactions, so the runner handles the events at hand (up
   * to BATCH) concurrently, key by key in log order, lets their appends share group commits,
   * and saves the checkpoint once per batch instead of once per event. Events with the same key
   * (say, one interaction's stream) are handled one after the other.
   */
  partitionKey?(event: DomainEvent): string;
}

export interface ReactorSpec {
  readonly name: string;
  /** One handler per event type the reactor reads: the types it subscribes to are these keys. */
  readonly on: EventHandlers<[ReactorContext], Promise<readonly Reaction[]>>;
  readonly partitionKey?: (event: DomainEvent) => string;
}

/** A reactor from a typed handler map: each handler gets its own event type, no switch, no hand-kept type list. */
export function defineReactor(spec: ReactorSpec): Reactor {
  const { partitionKey } = spec;
  return {
    name: spec.name,
    eventTypes: handledTypes(spec.on),
    react: async (event, context) => (await dispatch(spec.on, event.type, event, context)) ?? [],
    ...(partitionKey ? { partitionKey } : {}),
  };
}

/** Events the concurrent mode takes in one go at most. */
const BATCH = 256;

export interface ReactorRunnerOptions {
  /** The catalogued store: derived events are parsed against their schemas before appending. */
  readonly store: EventStore;
  /** Parses stored events (the catalogue). */
  readonly parser: { parseRecorded(event: RecordedEvent): DomainEvent };
  /** Keeps the reactor's checkpoint and its parked events. */
  readonly readStore: ReadStore;
  readonly logger: Logger;
  readonly now?: () => Date;
  /** Tries of one event before it is parked. Default 5, with doubling back-off from `retryDelayMs`. */
  readonly maxAttempts?: number;
  readonly retryDelayMs?: number;
}

export function reactorCheckpoint(name: string): string {
  return `reactor.${name}`;
}

/** Runs one reactor: at-least-once delivery plus deterministic event ids make its effects exactly-once. */
export class ReactorRunner extends CheckpointedSubscriber {
  constructor(
    private readonly reactor: Reactor<NewEvent>,
    private readonly options: ReactorRunnerOptions,
  ) {
    super(reactorCheckpoint(reactor.name), options);
  }

  protected async run(subscription: AllSubscription): Promise<void> {
    if (this.reactor.partitionKey) return this.runPartitioned(subscription, this.reactor.partitionKey.bind(this.reactor));
    let unsaved = 0;
    for await (const event of subscription) {
      if (this.reactor.eventTypes.has(event.type)) {
        const handled = await this.handle(event);
        if (!handled) return; // stopped while retrying: the event is handled again on restart
        await this.saveCheckpoint(event.position);
        unsaved = 0;
      } else if (++unsaved >= 500) {
        // Events the reactor ignores move the checkpoint lazily, so a restart does not rescan
        // a long quiet stretch, without a write per ignored event.
        await this.saveCheckpoint(event.position);
        unsaved = 0;
      }
      this.progress.advance(event.position);
    }
    if (unsaved > 0 && this.progress.position >= 0) await this.saveCheckpoint(this.progress.position);
  }

  private async runPartitioned(subscription: AllSubscription, keyOf: (event: DomainEvent) => string): Promise<void> {
    let ignored = 0;
    for await (const batch of batchesAtHand(subscription, BATCH)) {
      const groups = new Map<string, RecordedEvent[]>();
      for (const raw of batch) {
        if (!this.reactor.eventTypes.has(raw.type)) continue;
        let key = raw.stream;
        try {
          key = keyOf(this.options.parser.parseRecorded(raw));
        } catch {
          // Unparseable: handled (and parked) on its own stream's key.
        }
        const group = groups.get(key) ?? [];
        group.push(raw);
        groups.set(key, group);
      }
      const handled = await Promise.all(
        [...groups.values()].map(async (events) => {
          for (const raw of events) if (!(await this.handle(raw, false))) return false;
          return true;
        }),
      );
      if (handled.includes(false)) return; // stopped while retrying: the batch is handled again on restart
      const last = batch[batch.length - 1];
      if (!last) continue;
      ignored += batch.length;
      if (groups.size > 0 || ignored >= 500) {
        await this.saveCheckpoint(last.position);
        ignored = 0;
      }
      this.progress.advance(last.position);
      if (this.stopping) break;
    }
    if (ignored > 0 && this.progress.position >= 0) await this.saveCheckpoint(this.progress.position);
  }

  /** `moveCheckpoint`: park at this event's position (serial mode); the concurrent mode saves per batch. */
  private async handle(raw: RecordedEvent, moveCheckpoint = true): Promise<boolean> {
    const maxAttempts = this.options.maxAttempts ?? 5;
    let delay = this.options.retryDelayMs ?? 200;
    let lastError: unknown = null;
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      if (this.stopping) return false;
      try {
        const event = this.options.parser.parseRecorded(raw);
        const reactions = await this.reactor.react(event, this.contextFor(event));
        for (const reaction of reactions) {
          await this.options.store.append(reaction.stream, reaction.events, {
            ...(reaction.expectedRevision !== undefined ? { expectedRevision: reaction.expectedRevision } : {}),
          });
        }
        return true;
      } catch (error) {
        lastError = error;
        this.options.logger.warn({ err: error, reactor: this.reactor.name, position: raw.position, attempt }, 'reaction failed');
        if (attempt < maxAttempts) {
          await new Promise((r) => setTimeout(r, delay));
          delay = Math.min(delay * 2, 10_000);
        }
      }
    }
    const name = reactorCheckpoint(this.reactor.name);
    await this.options.readStore.apply(
      [parkOperation(name, raw, lastError, maxAttempts, this.now())],
      moveCheckpoint ? { checkpoint: { name, position: raw.position } } : {},
    );
    this.options.logger.error({ err: lastError, reactor: this.reactor.name, position: raw.position }, 'event parked');
    return true;
  }

  private contextFor(event: DomainEvent): ReactorContext {
    const now = this.now();
    return {
      now,
      eventId: (kind) => deterministicUuid('reactor', this.reactor.name, event.id, kind),
      metadata: () => ({
        correlationId: event.metadata.correlationId,
        causationId: event.id,
        actor: `system:${this.reactor.name}`,
        occurredAt: now.toISOString(),
      }),
    };
  }

  private async saveCheckpoint(position: number): Promise<void> {
    await this.options.readStore.apply([], { checkpoint: { name: reactorCheckpoint(this.reactor.name), position } });
  }

  private now(): Date {
    return this.options.now?.() ?? new Date();
  }
}
