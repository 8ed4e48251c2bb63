import { z } from 'zod';
import { defineEvent } from './define';
import { idSchema, workloadIdSchema } from './ingest';

/**
 * Feedback on an interaction. Explicit feedback is binary (thumbs), optionally per dimension,
 * never a 1–5 scale: scales drift between raters, a binary choice does not. Everything else is
 * implicit behaviour, or a correction/re-ask the server found in the conversation.
 */
export const SIGNAL_TYPES = [
  'thumbsUp',
  'thumbsDown',
  'stopped',
  'regenerated',
  'copied',
  'edited',
  'adopted',
  'deleted',
  'followUp',
  'corrected',
] as const;
export const signalTypeSchema = z.enum(SIGNAL_TYPES);
export type SignalType = z.infer<typeof signalTypeSchema>;

/** `speed` is rated like the others but never folded into the quality outcome. */
export const DIMENSIONS = ['accuracy', 'tone', 'completeness', 'speed'] as const;
export const dimensionSchema = z.enum(DIMENSIONS);
export type Dimension = z.infer<typeof dimensionSchema>;

export const ADOPTIONS = ['accepted', 'partial', 'rejected'] as const;
export const adoptionSchema = z.enum(ADOPTIONS);
export type Adoption = z.infer<typeof adoptionSchema>;

export const OUTCOMES = ['good', 'bad', 'unknown'] as const;
export const outcomeSchema = z.enum(OUTCOMES);
export type Outcome = z.infer<typeof outcomeSchema>;

/** `client`: sent by the app or its SDK; `detector`: found by the server in the next user turn. */
export const SIGNAL_SOURCES = ['client', 'detector'] as const;

export const MAX_COMMENT_CHARS = 4_000;
export const MAX_EDITED_CHARS = 100_000;

const isoTime = z.iso.datetime({ offset: true });
const fraction = z.number().min(0).max(1);

const signalBase = z.object({
  /** Client-chosen (or generated) id, unique per interaction: a retry with the same id is the same signal. */
  signalId: idSchema,
  interactionId: idSchema,
  workloadId: workloadIdSchema,
  /**
   * When the interaction itself happened: read models bucket a signal by the day of the
   * interaction it judges, and a projection cannot look that up.
   */
  interactionAt: isoTime,
  source: z.enum(SIGNAL_SOURCES),
  /** sha256 of the signal's content as sent (after redaction): tells a retry from a conflicting reuse of the id. */
  contentHash: z.string().regex(/^[0-9a-f]{64}$/),
});

const thumbs = {
  dimension: dimensionSchema.nullable(),
  /** Redacted under the workload's privacy policy before it is recorded (FeedbackDeps.redact). */
  comment: z.string().min(1).max(MAX_COMMENT_CHARS).nullable(),
};

/** The data of the next turn that gave a detected signal away. */
export const evidenceSchema = z.object({
  nextInteractionId: idSchema,
  /** Language the rule matched in (en, es, de, fr), or null for language-neutral evidence. */
  language: z.string().min(2).max(8).nullable(),
  /** The rule that fired, e.g. `en:i-meant` or `reask:overlap`. */
  rule: z.string().min(1).max(100),
  /** The user's turn, shortened. */
  excerpt: z.string().max(500),
});
export type Evidence = z.infer<typeof evidenceSchema>;

export const signalRecordedV1 = z.discriminatedUnion('type', [
  signalBase.extend({ type: z.literal('thumbsUp'), ...thumbs }),
  signalBase.extend({ type: z.literal('thumbsDown'), ...thumbs }),
  signalBase.extend({
    type: z.literal('stopped'),
    /** Tokens the user had received when they stopped the generation. */
    tokensReceived: z.number().int().nonnegative().nullable(),
  }),
  signalBase.extend({
    type: z.literal('regenerated'),
    /** The interaction that replaced this one, when the app logged it. */
    replacementInteractionId: idSchema.nullable(),
  }),
  signalBase.extend({
    type: z.literal('copied'),
    /** Share of the response copied (0–1). */
    fraction: fraction.nullable(),
  }),
  signalBase.extend({
    type: z.literal('edited'),
    editedText: z.string().max(MAX_EDITED_CHARS).nullable(),
    /** Levenshtein distance between the response and the edited text over the longer length (0–1). */
    editDistance: fraction.nullable(),
  }),
  signalBase.extend({ type: z.literal('adopted'), adoption: adoptionSchema }),
  signalBase.extend({ type: z.literal('deleted') }),
  signalBase.extend({
    type: z.literal('followUp'),
    /** The follow-up asks the same thing again: the answer did not land. */
    reask: z.boolean(),
    evidence: evidenceSchema.nullable(),
  }),
  signalBase.extend({ type: z.literal('corrected'), evidence: evidenceSchema.nullable() }),
]);
export type SignalRecordedData = z.infer<typeof signalRecordedV1>;

export const outcomeInferredV1 = z.object({
  interactionId: idSchema,
  workloadId: workloadIdSchema,
  interactionAt: isoTime,
  outcome: outcomeSchema,
  /** max(p, 1 − p) of the triangulated probability that the answer was good. */
  confidence: fraction,
  /** The logit the outcome came from (bias + Σ weight × feature). */
  score: z.number(),
  /** What the outcome was before this signal (null: none inferred yet), so counts can move. */
  previousOutcome: outcomeSchema.nullable(),
  /** Signals the inference used. */
  signals: z.number().int().positive(),
  /** The signal that changed it. */
  signalId: idSchema,
  /** Revision of the workload's weights stream used (-1: the defaults). */
  weightsRevision: z.number().int().min(-1),
});
export type OutcomeInferredData = z.infer<typeof outcomeInferredV1>;

/** What each triangulation feature weighs; keys are events/signal-features.ts FEATURES (stored ones may predate a feature). */
export const weightsSchema = z.record(z.string().regex(/^[a-zA-Z]{1,40}$/), z.number().min(-50).max(50));

export const outcomeWeightsSetV1 = z.object({
  workloadId: workloadIdSchema,
  bias: z.number().min(-50).max(50),
  weights: weightsSchema,
  /** Outcomes whose confidence is below this stay `unknown`. */
  threshold: z.number().min(0.5).max(1),
  source: z.enum(['manual', 'calibration']),
  /** How the calibration that produced them fitted (null when set by hand). */
  calibration: z
    .object({
      labelled: z.number().int().nonnegative(),
      accuracy: fraction,
      auc: fraction.nullable(),
      logLoss: z.number().nonnegative(),
    })
    .nullable(),
});
export type OutcomeWeightsSetData = z.infer<typeof outcomeWeightsSetV1>;

export const SignalRecorded = defineEvent('SignalRecorded', signalRecordedV1);
export const OutcomeInferred = defineEvent('OutcomeInferred', outcomeInferredV1);
export const OutcomeWeightsSet = defineEvent('OutcomeWeightsSet', outcomeWeightsSetV1);

/** Signals and outcomes live on the interaction's stream; weights on `outcomeweights-<workloadId>`. */
export const OUTCOME_WEIGHTS_CATEGORY = 'outcomeweights';
export const feedbackEvents = [SignalRecorded, OutcomeInferred, OutcomeWeightsSet] as const;
