import type { DomainEvent } from './catalogue';
import type { NewEvent, RecordedEvent } from './envelope';
import type {
  AllSubscription,
  AppendOptions,
  AppendResult,
  EventStore,
  ReadAllOptions,
  ReadAllPage,
  ReadStreamOptions,
  SubscribeOptions,
} from './event-store';

/** What the store needs of a catalogue (`EventCatalogue` is one). */
export interface EventParser {
  parseNew<E extends NewEvent>(event: E): E;
  parseRecorded(event: RecordedEvent): DomainEvent;
}

/** The event store with reads typed by the catalogue. */
export interface DomainEventStore extends EventStore {
  readStream(stream: string, options?: ReadStreamOptions): Promise<readonly DomainEvent[]>;
}

/**
 * The event store as services see it: every new event is parsed against its catalogued
 * schema before the adapter sees it (a bad event is refused whole, nothing appended), and
 * every stored event is upcast to its current version on the way out.
 */
export class CataloguedEventStore implements DomainEventStore {
  constructor(
    readonly inner: EventStore,
    private readonly catalogue: EventParser,
  ) {}

  append(stream: string, events: readonly NewEvent[], options?: AppendOptions): Promise<AppendResult> {
    let parsed: NewEvent[];
    try {
      parsed = events.map((e) => this.catalogue.parseNew(e));
    } catch (error) {
      return Promise.reject(error);
    }
    return this.inner.append(stream, parsed, options);
  }

  async readStream(stream: string, options?: ReadStreamOptions): Promise<readonly DomainEvent[]> {
    const events = await this.inner.readStream(stream, options);
    return events.map((e) => this.catalogue.parseRecorded(e));
  }

  async readAll(options?: ReadAllOptions): Promise<ReadAllPage> {
    const page = await this.inner.readAll(options);
    return { events: page.events.map((e) => this.catalogue.parseRecorded(e)), next: page.next };
  }

  subscribeToAll(options?: SubscribeOptions): AllSubscription {
    const inner = this.inner.subscribeToAll(options);
    const catalogue = this.catalogue;
    return {
      close: () => inner.close(),
      async *[Symbol.asyncIterator]() {
        for await (const event of inner) yield catalogue.parseRecorded(event);
      },
    };
  }

  headPosition(): Promise<number> {
    return this.inner.headPosition();
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
