import type { DomainEvent } from '../../events/catalogue';
import type { DomainEventStore } from '../../events/catalogued-event-store';
import { OutcomeInferred, type OutcomeInferredData, type SignalRecordedData } from '../../events/catalogue/feedback';
import type { Reaction, Reactor, ReactorContext } from '../reactor';
import { changed, featuresOf, infer, type Inference } from './outcome';
import type { WeightsReader } from './weights';

export interface OutcomeReactorDeps {
  readonly store: Pick<DomainEventStore, 'readStream'>;
  readonly weights: WeightsReader;
}

/**
 * Triangulation: for each signal, infers the interaction's outcome from all its signals up to
 * and including that one, and records OutcomeInferred when the outcome (or its confidence, to
 * two decimals) differs from the last one recorded. Signals of one interaction are handled in
 * order (partitioned by stream), so each OutcomeInferred's `previousOutcome` is the outcome
 * recorded before it, and the per-day outcome counts built from them add up.
 */
export function outcomeReactor(deps: OutcomeReactorDeps): Reactor {
  return {
    name: 'feedback-outcome',
    eventTypes: new Set(['SignalRecorded']),
    partitionKey: (event) => event.stream,
    async react(event: DomainEvent, context: ReactorContext): Promise<readonly Reaction[]> {
      if (event.type !== 'SignalRecorded') return [];
      // Revision 0 is the InteractionLogged (or a privacy finding logged with it), not needed here.
      const history = await deps.store.readStream(event.stream, { fromRevision: 1 });
      // A replay after a lost checkpoint: this signal's outcome is already decided.
      if (history.some((e) => e.type === 'OutcomeInferred' && e.metadata.causationId === event.id)) return [];
      const revisionOf = new Map<string, number>();
      const signals: SignalRecordedData[] = [];
      for (const e of history) {
        if (e.type !== 'SignalRecorded' || e.revision > event.revision) continue;
        revisionOf.set(e.data.signalId, e.revision);
        signals.push(e.data);
      }
      let previous: OutcomeInferredData | null = null;
      for (const e of history) {
        if (e.type === 'OutcomeInferred' && (revisionOf.get(e.data.signalId) ?? Number.POSITIVE_INFINITY) < event.revision) previous = e.data;
      }
      const weights = await deps.weights.current(event.data.workloadId);
      const after = infer(featuresOf(signals), weights.weights);
      const before: Inference | null = previous ? { outcome: previous.outcome, confidence: previous.confidence, score: previous.score } : null;
      if (!after || !changed(before, after)) return [];
      const data: OutcomeInferredData = {
        interactionId: event.data.interactionId,
        workloadId: event.data.workloadId,
        interactionAt: event.data.interactionAt,
        outcome: after.outcome,
        confidence: after.confidence,
        score: after.score,
        previousOutcome: previous?.outcome ?? null,
        signals: signals.length,
        signalId: event.data.signalId,
        weightsRevision: weights.revision,
      };
      return [
        {
          stream: event.stream,
          events: [{ id: context.eventId('outcome'), type: OutcomeInferred.type, data, metadata: context.metadata(OutcomeInferred.version) }],
          expectedRevision: 'any',
        },
      ];
    },
  };
}
