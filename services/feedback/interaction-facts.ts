import type { DomainEventStore } from '../../events/catalogued-event-store';
import { INTERACTION_CATEGORY } from '../../events/catalogue/ingest';
import { streamName } from '../../events/envelope';
import { answerText } from './text';

/** What recording a signal needs of the interaction: facts of its InteractionLogged, which never change. */
export interface InteractionFacts {
  readonly workloadId: string;
  readonly interactionAt: string;
  readonly answer: string | null;
}

/**
 * The first event of an interaction's stream, read once and remembered (bounded, least recently
 * used first out). Safe to cache: streams are append-only, so revision 0 never changes, and only
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
    const [first] = await this.store.readStream(streamName(INTERACTION_CATEGORY, interactionId), { maxCount: 1 });
    if (first?.type !== 'InteractionLogged') return null;
    const facts = { workloadId: first.data.workloadId, interactionAt: first.metadata.occurredAt, answer: answerText(first.data) };
    this.entries.set(interactionId, facts);
    if (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    return facts;
  }
}
