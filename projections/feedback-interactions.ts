import type { Outcome, SignalType } from '../events/catalogue/feedback';
import type { ProjectedOperation, ProjectionSpec } from './projection';
import type { IndexSpec } from './read-store';

/**
 * What the feedback feature adds to the `interactions` read model: each interaction's signal
 * summary and inferred outcome. Kept in the interactions projection (which takes these handlers), not a
 * projection of its own, because every document records the position of the last event applied
 * to it: two projections writing the same document from their own checkpoints would skip each
 * other's operations.
 */
export interface InteractionFeedbackFields {
  /** Count of each signal type recorded on the interaction. */
  readonly signals?: Readonly<Record<string, number>>;
  /** The types present, for filtering (`interactions(filter: { signalType })`). */
  readonly signalTypes?: SignalType[];
  readonly signalCount?: number;
  readonly lastSignalAt?: string;
  readonly outcome?: Outcome;
  readonly outcomeConfidence?: number;
  readonly outcomeAt?: string;
  /** Regeneration links: the interaction that replaced this one, and the one this one replaced. */
  readonly replacedBy?: string;
  readonly replaces?: string;
}

export const feedbackInteractionIndexes: readonly IndexSpec[] = [{ fields: { workloadId: 1, outcome: 1, occurredAt: -1 } }];

export function outcomeTopic(workloadId: string): string {
  return `outcome.changed.${workloadId}`;
}

/** The handlers the interactions read model takes from the feedback feature, for documents in `collection`. */
export function feedbackOnInteractions(collection: string): Pick<ProjectionSpec, 'on' | 'notify'> {
  return {
    on: {
      SignalRecorded: (event) => {
        const d = event.data;
        const own: ProjectedOperation = {
          op: 'update',
          collection,
          id: d.interactionId,
          update: {
            $inc: { [`signals.${d.type}`]: 1, signalCount: 1 },
            $addToSet: { signalTypes: d.type },
            $max: { lastSignalAt: event.metadata.occurredAt },
            ...(d.type === 'regenerated' && d.replacementInteractionId ? { $set: { replacedBy: d.replacementInteractionId } } : {}),
          },
        };
        // The replacement learns what it replaced when it was logged first (an update of a
        // missing document is a no-op, and its own InteractionLogged replaces the whole document).
        if (d.type === 'regenerated' && d.replacementInteractionId && d.replacementInteractionId !== d.interactionId) {
          return [own, { op: 'update', collection, id: d.replacementInteractionId, update: { $set: { replaces: d.interactionId } } }];
        }
        return [own];
      },
      OutcomeInferred: (event) => [
        {
          op: 'update',
          collection,
          id: event.data.interactionId,
          update: { $set: { outcome: event.data.outcome, outcomeConfidence: event.data.confidence, outcomeAt: event.metadata.occurredAt } },
        },
      ],
    },
    notify: {
      OutcomeInferred: (event) => {
        const d = event.data;
        return [
          {
            topic: outcomeTopic(d.workloadId),
            message: { interactionId: d.interactionId, outcome: d.outcome, previousOutcome: d.previousOutcome, confidence: d.confidence, position: event.position },
          },
        ];
      },
    },
  };
}
