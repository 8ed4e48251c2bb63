import { defineProjection } from './projection';
import type { Document } from './read-store';

/** Per workload and day (of the interaction): counts of every signal type and outcome, the first drift timeline. */
export const FEEDBACK_DAILY = 'feedback_daily';

export interface DailyDoc extends Document {
  readonly workloadId: string;
  /** YYYY-MM-DD (UTC) of the interactions counted. */
  readonly day: string;
  readonly interactions?: number;
  readonly signals?: Readonly<Record<string, number>>;
  /** Interactions of that day by their current outcome. */
  readonly outcomes?: Readonly<Record<string, number>>;
}

export function dayOf(iso: string): string {
  return new Date(iso).toISOString().slice(0, 10);
}

export function dailyId(workloadId: string, day: string): string {
  return `${workloadId}:${day}`;
}

export const feedbackDailyProjection = defineProjection({
  name: 'feedback-daily',
  /** Until issue 9, one of the three read models the former `feedback` projection kept. */
  formerly: ['feedback'],
  collections: [{ name: FEEDBACK_DAILY, indexes: [{ fields: { workloadId: 1, day: 1 } }] }],
  on: {
    InteractionLogged: (event) => {
      const d = event.data;
      const day = dayOf(event.metadata.occurredAt);
      return [{ op: 'update', collection: FEEDBACK_DAILY, id: dailyId(d.workloadId, day), upsert: true, update: { $inc: { interactions: 1 }, $setOnInsert: { workloadId: d.workloadId, day } } }];
    },
    // A signal counts on the day of the interaction it judges, not the day it was sent.
    SignalRecorded: (event) => {
      const d = event.data;
      const day = dayOf(d.interactionAt);
      return [
        { op: 'update', collection: FEEDBACK_DAILY, id: dailyId(d.workloadId, day), upsert: true, update: { $inc: { [`signals.${d.type}`]: 1 }, $setOnInsert: { workloadId: d.workloadId, day } } },
      ];
    },
    OutcomeInferred: (event) => {
      const d = event.data;
      // A confidence that moved without the label moving changes no count.
      if (d.previousOutcome === d.outcome) return [];
      const day = dayOf(d.interactionAt);
      return [
        {
          op: 'update',
          collection: FEEDBACK_DAILY,
          id: dailyId(d.workloadId, day),
          upsert: true,
          update: {
            $inc: { [`outcomes.${d.outcome}`]: 1, ...(d.previousOutcome ? { [`outcomes.${d.previousOutcome}`]: -1 } : {}) },
            $setOnInsert: { workloadId: d.workloadId, day },
          },
        },
      ];
    },
  },
});
