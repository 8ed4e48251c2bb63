import { z } from 'zod';
import { defineEvent } from './define';
import { idSchema, workloadIdSchema } from './ingest';

/** Input validators: their settings per workload and what they found for each logged input. */

export const VALIDATORS = ['topic', 'complexity', 'language', 'sensitive', 'adversarial', 'anomaly'] as const;
export const validatorSchema = z.enum(VALIDATORS);
export type ValidatorName = z.infer<typeof validatorSchema>;

export const VALIDATION_OUTCOMES = ['pass', 'flag', 'block'] as const;
export const validationOutcomeSchema = z.enum(VALIDATION_OUTCOMES);
export type ValidationOutcome = z.infer<typeof validationOutcomeSchema>;

export const inputValidatorsConfiguredV1 = z.object({
  workloadId: workloadIdSchema,
  /** Inputs the workload is for; topic relevance is the similarity to the nearest of them. */
  domainExamples: z.array(z.string().min(1).max(2_000)).max(200),
  /** Below this similarity to every domain example an input is off-topic. */
  topicThreshold: z.number().min(0).max(1),
  minTokens: z.number().int().min(0),
  maxTokens: z.number().int().min(1),
  /** ISO 639-1 codes the workload serves; empty: any language. */
  languages: z.array(z.string().regex(/^[a-z]{2}$/)).max(50),
  /** Below this mean similarity to the nearest historical inputs an input is anomalous. */
  anomalyThreshold: z.number().min(0).max(1),
  /** Attacks seen on this workload, added to the built-in list for similarity. */
  knownAttacks: z.array(z.string().min(1).max(2_000)).max(200),
});
export type InputValidatorsConfig = z.infer<typeof inputValidatorsConfiguredV1>;

export const validatorCheckSchema = z.object({
  validator: validatorSchema,
  outcome: validationOutcomeSchema,
  /** The measured value (similarity, token count, confidence), when there is one. */
  score: z.number().nullable(),
  /** Why, in words; never the sensitive values themselves. */
  evidence: z.string().max(1_000),
});
export type ValidatorCheck = z.infer<typeof validatorCheckSchema>;

export const inputValidatedV1 = z.object({
  interactionId: idSchema,
  workloadId: workloadIdSchema,
  /** The worst of the checks. */
  outcome: validationOutcomeSchema,
  checks: z.array(validatorCheckSchema).max(VALIDATORS.length),
  inputTokens: z.number().int().nonnegative(),
  /** The validators' version and the embedder's id: results under other versions are not comparable. */
  validatorsVersion: z.string().min(1).max(64),
  embedderId: z.string().min(1).max(128),
});
export type InputValidatedData = z.infer<typeof inputValidatedV1>;

export const InputValidatorsConfigured = defineEvent('InputValidatorsConfigured', inputValidatorsConfiguredV1);
export const InputValidated = defineEvent('InputValidated', inputValidatedV1);

/** Streams: `validators-<workloadId>` (settings), `validation-<interactionId>` (results). */
export const VALIDATORS_CATEGORY = 'validators';
export const VALIDATION_CATEGORY = 'validation';

export const validationEvents = [InputValidatorsConfigured, InputValidated] as const;
