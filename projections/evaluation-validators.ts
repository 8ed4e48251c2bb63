import type { ValidationOutcome } from '../events/catalogue/evaluation';
import { defineProjection } from './projection';
import type { Document, JsonValue } from './read-store';

export const VALIDATOR_CONFIGS = 'validatorConfigs';
export const INPUT_VALIDATIONS = 'inputValidations';
export const VALIDATION_DAILY = 'validationDaily';

export interface ValidatorConfigDoc extends Document {
  readonly domainExamples: string[];
  readonly topicThreshold: number;
  readonly minTokens: number;
  readonly maxTokens: number;
  readonly languages: string[];
  readonly anomalyThreshold: number;
  readonly knownAttacks: string[];
  readonly updatedAt: string;
  readonly updatedBy: string;
}

/** What the validators found for one logged interaction. */
export interface InputValidationDoc extends Document {
  readonly workloadId: string;
  readonly outcome: ValidationOutcome;
  readonly checks: JsonValue;
  readonly inputTokens: number;
  readonly validatorsVersion: string;
  readonly embedderId: string;
  readonly validatedAt: string;
}

/** Outcomes per workload and day of validation: how much traffic is flagged or blocked. */
export interface ValidationDailyDoc extends Document {
  readonly workloadId: string;
  readonly day: string;
  readonly pass: number;
  readonly flag: number;
  readonly block: number;
}

export const evaluationValidatorsProjection = defineProjection({
  name: 'evaluation-validators',
  /** Until issue 9, the validators sub-feature's read model was called `evaluation-inputs`. */
  formerly: ['evaluation-inputs'],
  collections: [
    { name: VALIDATOR_CONFIGS, indexes: [] },
    { name: INPUT_VALIDATIONS, indexes: [{ fields: { workloadId: 1, outcome: 1 } }] },
    { name: VALIDATION_DAILY, indexes: [{ fields: { workloadId: 1, day: 1 } }] },
  ],
  on: {
    InputValidatorsConfigured: (event) => {
      const { workloadId, ...settings } = event.data;
      const doc: Omit<ValidatorConfigDoc, '_id'> = {
        ...settings,
        domainExamples: [...settings.domainExamples],
        languages: [...settings.languages],
        knownAttacks: [...settings.knownAttacks],
        updatedAt: event.metadata.occurredAt,
        updatedBy: event.metadata.actor,
      };
      return [{ op: 'replace', collection: VALIDATOR_CONFIGS, id: workloadId, doc }];
    },
    InputValidated: (event) => {
      const d = event.data;
      const doc: Omit<InputValidationDoc, '_id'> = {
        workloadId: d.workloadId,
        outcome: d.outcome,
        checks: d.checks.map((c) => ({ ...c })),
        inputTokens: d.inputTokens,
        validatorsVersion: d.validatorsVersion,
        embedderId: d.embedderId,
        validatedAt: event.metadata.occurredAt,
      };
      const day = event.metadata.occurredAt.slice(0, 10);
      return [
        { op: 'replace', collection: INPUT_VALIDATIONS, id: d.interactionId, doc },
        {
          op: 'update',
          collection: VALIDATION_DAILY,
          id: `${d.workloadId}|${day}`,
          upsert: true,
          update: { $setOnInsert: { workloadId: d.workloadId, day }, $inc: { [d.outcome]: 1 } },
        },
      ];
    },
  },
});
