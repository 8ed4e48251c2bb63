import type { DomainEvent } from '../../events/catalogue';
import type { DomainEventStore } from '../../events/catalogued-event-store';
import { INTERACTION_CATEGORY } from '../../events/catalogue/ingest';
import { streamName } from '../../events/envelope';
import { answerText } from '../../events/interaction-text';

/** What recording a signal needs of the interaction: facts of its InteractionLogged, which never change. */
export interface InteractionFacts {
  readonly workloadId: string;
  readonly interactionAt: string;
  readonly answer: string | null;
}

/**
 * The InteractionLogged of an interaction's stream, read once and remembered (bounded, least
 * recently used first out). Safe to cache: streams are append-only, so it never changes, and only
 * interactions that exist are remembered. Signals come in bursts on recent interactions, so this
 * spares most of them a read and a parse of the whole logged request and response.
 */
export class InteractionFactsCache {
  private readonly entries = new Map<string, InteractionFacts>();

  constructor(
    private readonly store: Pick<DomainEventStore, 'readStream'>,
    private readonly capacity = 20_000,
  ) {}

  async get(interactionId: string): Promise<InteractionFacts | null> {
    const cached = this.entries.get(interactionId);
    if (cached) {
      this.entries.delete(interactionId);
      this.entries.set(interactionId, cached);
      return cached;
    }
    const logged = await this.findLogged(streamName(INTERACTION_CATEGORY, interactionId));
    if (!logged) return null;
    const facts = { workloadId: logged.data.workloadId, interactionAt: logged.metadata.occurredAt, answer: answerText(logged.data) };
    this.entries.set(interactionId, facts);
    if (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    return facts;
  }

  /** The InteractionLogged, near the start: events that privacy appends with it (findings) come first. */
  private async findLogged(stream: string): Promise<(DomainEvent & { type: 'InteractionLogged' }) | null> {
    const page = 8;
    for (let fromRevision = 0; ; fromRevision += page) {
      const events = await this.store.readStream(stream, { fromRevision, maxCount: page });
      for (const event of events) if (event.type === 'InteractionLogged') return event;
      if (events.length < page) return null;
    }
  }
}
