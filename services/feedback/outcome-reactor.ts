import type { DomainEventStore } from '../../events/catalogued-event-store';
import { OutcomeInferred, type OutcomeInferredData, type SignalRecordedData } from '../../events/catalogue/feedback';
import { defineReactor, type Reactor } from '../reactor';
import { changed, featuresOf, infer, type Inference } from './outcome';
import type { WeightsReader } from './weights';

export interface OutcomeReactorDeps {
  readonly store: Pick<DomainEventStore, 'readStream'>;
  readonly weights: WeightsReader;
  /** Interactions whose stream is remembered between signals (least recently used out). */
  readonly cacheSize?: number;
}

/** What the reactor has read of one interaction's stream, so the next signal reads only what is new. */
interface StreamView {
  /** Revision of the last event read. */
  revision: number;
  readonly signals: { readonly revision: number; readonly data: SignalRecordedData }[];
  readonly outcomes: { readonly data: OutcomeInferredData; readonly causationId: string | null }[];
}

/**
 * Triangulation: for each signal, infers the interaction's outcome from all its signals up to
 * and including that one, and records OutcomeInferred when the outcome changes (the label, or
 * the confidence by a step). Signals of one interaction are handled in order (partitioned by
 * stream), so each OutcomeInferred's `previousOutcome` is the outcome recorded before it, and the
 * per-day outcome counts built from them add up. Each stream is read incrementally: what was
 * read for the previous signal is kept, and a restart simply reads it whole again.
 */
export function outcomeReactor(deps: OutcomeReactorDeps): Reactor {
  const views = new Map<string, StreamView>();
  const capacity = deps.cacheSize ?? 10_000;

  /**
   * Always reads on from the last revision seen: the outcome recorded for the previous signal may
   * sit after this signal in the stream, and it is the one `previousOutcome` must name.
   */
  async function viewOf(stream: string): Promise<StreamView> {
    const known = views.get(stream);
    views.delete(stream);
    // Revision 0 is the InteractionLogged (or a privacy finding logged with it), not needed here.
    const view: StreamView = known ?? { revision: 0, signals: [], outcomes: [] };
    for (const e of await deps.store.readStream(stream, { fromRevision: view.revision + 1 })) {
      if (e.type === 'SignalRecorded') view.signals.push({ revision: e.revision, data: e.data });
      else if (e.type === 'OutcomeInferred') view.outcomes.push({ data: e.data, causationId: e.metadata.causationId });
      view.revision = Math.max(view.revision, e.revision);
    }
    views.set(stream, view);
    if (views.size > capacity) {
      const oldest = views.keys().next();
      if (!oldest.done) views.delete(oldest.value);
    }
    return view;
  }

  return defineReactor({
    name: 'feedback-outcome',
    partitionKey: (event) => event.stream,
    on: {
      SignalRecorded: async (event, context) => {
        const view = await viewOf(event.stream);
        // A replay after a lost checkpoint: this signal's outcome is already decided.
        if (view.outcomes.some((o) => o.causationId === event.id)) return [];
        const revisionOf = new Map(view.signals.map((s) => [s.data.signalId, s.revision]));
        const signals = view.signals.filter((s) => s.revision <= event.revision).map((s) => s.data);
        let previous: OutcomeInferredData | null = null;
        for (const o of view.outcomes) if ((revisionOf.get(o.data.signalId) ?? Number.POSITIVE_INFINITY) < event.revision) previous = o.data;
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
            events: [OutcomeInferred.create({ id: context.eventId('outcome'), data, metadata: context.metadata() })],
            expectedRevision: 'any',
          },
        ];
      },
    },
  });
}
