import type { DomainEventStore } from '../../events/catalogued-event-store';
import { OUTCOME_WEIGHTS_CATEGORY, OutcomeWeightsSet } from '../../events/catalogue/feedback';
import { streamName } from '../../events/envelope';
import { settingsDecider } from '../settings-decider';
import { completeWeights, DEFAULT_WEIGHTS, type OutcomeWeights } from './outcome';

/** A workload's weights are settings: each change replaces them whole; the same ones again are no change. */
export const weightsDecider = settingsDecider({
  event: OutcomeWeightsSet,
  read: (event) => (event.type === 'OutcomeWeightsSet' ? event.data : null),
});

export interface CurrentWeights {
  readonly workloadId: string;
  readonly weights: OutcomeWeights;
  /** Revision of the workload's weights stream (-1: never set, the defaults). */
  readonly revision: number;
  readonly source: 'default' | 'manual' | 'calibration';
  readonly setAt: string | null;
}

/**
 * A workload's outcome weights, from the last OutcomeWeightsSet on `outcomeweights-<workloadId>`.
 * The outcome reactor asks for every signal, so answers are kept for a second: a change takes
 * effect for signals recorded from then on (outcomes already inferred are not recomputed).
 */
export class WeightsReader {
  private readonly cache = new Map<string, { readonly value: CurrentWeights; readonly at: number }>();

  constructor(
    private readonly store: Pick<DomainEventStore, 'readStream'>,
    private readonly ttlMs = 1_000,
  ) {}

  async current(workloadId: string, options: { fresh?: boolean } = {}): Promise<CurrentWeights> {
    const cached = this.cache.get(workloadId);
    if (!options.fresh && cached && Date.now() - cached.at < this.ttlMs) return cached.value;
    const [event] = await this.store.readStream(streamName(OUTCOME_WEIGHTS_CATEGORY, workloadId), { direction: 'backwards', maxCount: 1 });
    const value: CurrentWeights =
      event?.type === 'OutcomeWeightsSet'
        ? {
            workloadId,
            weights: completeWeights(event.data),
            revision: event.revision,
            source: event.data.source,
            setAt: event.metadata.occurredAt,
          }
        : { workloadId, weights: DEFAULT_WEIGHTS, revision: -1, source: 'default', setAt: null };
    this.cache.set(workloadId, { value, at: Date.now() });
    return value;
  }

  forget(workloadId: string): void {
    this.cache.delete(workloadId);
  }
}
