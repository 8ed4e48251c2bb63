import { z } from 'zod';
import { defineEvent } from './define';
import { idSchema, nodeTypeSchema, workloadIdSchema } from './ingest';

/**
 * Evaluation facts: binary metrics and their versions, every result any evaluator produced,
 * the judge's sampling per workload, annotation queues and human labels, input validators, and
 * pipeline checks.
 * Results always name the metric version and the evaluator with its version, so a result
 * under an old definition is never counted with results under a new one.
 */

/** `<workloadId>.<slug>[.<nodeType>]`: readable in reports, unique per workload and node type. */
export const metricIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}\.[a-z0-9-]{1,64}(\.[a-z]{1,16})?$/, 'a metric id');

const metricDefinition = {
  metricId: metricIdSchema,
  workloadId: workloadIdSchema,
  /** null: every interaction of the workload; else only pipeline nodes of this type. */
  nodeType: nodeTypeSchema.nullable(),
  name: z.string().min(1).max(100),
  /** The yes/no question the evaluator answers ("Does the answer cite the manual?"). */
  question: z.string().min(1).max(2_000),
  /** What counts as pass and as fail, with examples; what a judge and an annotator read. */
  rubric: z.string().max(8_000),
  /** The judge model for this metric; null: the configured default. */
  judgeModel: z.string().min(1).max(256).nullable(),
  version: z.number().int().positive(),
};

export const metricDefinedV1 = z.object({ ...metricDefinition, version: z.literal(1) });
export const metricRevisedV1 = z.object({ ...metricDefinition, version: z.number().int().min(2) });
export const metricRetiredV1 = z.object({
  metricId: metricIdSchema,
  workloadId: workloadIdSchema,
  /** The last version, the one retired. */
  version: z.number().int().positive(),
  reason: z.string().max(500).nullable(),
});
export type MetricDefinitionData = z.infer<typeof metricRevisedV1> | z.infer<typeof metricDefinedV1>;

export const EVALUATOR_KINDS = ['judge', 'rule', 'human'] as const;
export const evaluatorKindSchema = z.enum(EVALUATOR_KINDS);
export type EvaluatorKind = z.infer<typeof evaluatorKindSchema>;

export const evaluatorSchema = z.object({
  kind: evaluatorKindSchema,
  /** The judge model, the rule's name, or the annotator (`key:<id>`). */
  id: z.string().min(1).max(256),
  /** The judge prompt's version, the rule's version; for people, the label form's version. */
  version: z.string().min(1).max(64),
});
export type Evaluator = z.infer<typeof evaluatorSchema>;

export const metricEvaluatedV1 = z.object({
  metricId: metricIdSchema,
  metricVersion: z.number().int().positive(),
  workloadId: workloadIdSchema,
  interactionId: idSchema,
  nodeType: nodeTypeSchema.nullable(),
  pipelineRunId: idSchema.nullable(),
  pass: z.boolean(),
  rationale: z.string().max(4_000).nullable(),
  evaluator: evaluatorSchema,
  /** When the evaluated interaction happened: the timeline is by the traffic's day, not the judge's. */
  interactionOccurredAt: z.iso.datetime({ offset: true }),
  /** Human labels: from the interaction to its label (fresh context agrees better). */
  timeToLabelMs: z.number().nonnegative().nullable(),
  /** What producing this result cost (a judge call), when known. */
  costUsd: z.number().nonnegative().nullable(),
});
export type MetricEvaluatedData = z.infer<typeof metricEvaluatedV1>;

/** Which interactions of a workload the judge evaluates. */
export const judgeSamplingSetV1 = z.object({
  workloadId: workloadIdSchema,
  /** Fraction of matching interactions judged, 0 to 1; chosen by a hash of the interaction id. */
  rate: z.number().min(0).max(1),
  /** Only these node types (empty: any, including interactions outside pipelines). */
  nodeTypes: z.array(nodeTypeSchema).max(5),
  /** Only interactions answered by these models (empty: any). */
  models: z.array(z.string().min(1).max(256)).max(50),
});
export type JudgeSamplingData = z.infer<typeof judgeSamplingSetV1>;

/** The judge chose not to evaluate: the reason is kept so a gap in the timeline explains itself. */
export const evaluationSkippedV1 = z.object({
  metricId: metricIdSchema,
  metricVersion: z.number().int().positive(),
  workloadId: workloadIdSchema,
  interactionId: idSchema,
  evaluator: evaluatorSchema,
  reason: z.enum(['SAME_MODEL', 'NO_ANSWER', 'JUDGE_FAILED']),
  detail: z.string().max(1_000),
});

export const MetricDefined = defineEvent('MetricDefined', metricDefinedV1);
export const MetricRevised = defineEvent('MetricRevised', metricRevisedV1);
export const MetricRetired = defineEvent('MetricRetired', metricRetiredV1);
export const MetricEvaluated = defineEvent('MetricEvaluated', metricEvaluatedV1);
export const JudgeSamplingSet = defineEvent('JudgeSamplingSet', judgeSamplingSetV1);
export const EvaluationSkipped = defineEvent('EvaluationSkipped', evaluationSkippedV1);

// ---- annotation queues -----------------------------------------------------------------------

export const STRATIFY_KEYS = ['none', 'model', 'nodeType', 'promptVersionId', 'clientId'] as const;
export const stratifyKeySchema = z.enum(STRATIFY_KEYS);
export type StratifyKey = z.infer<typeof stratifyKeySchema>;

export const queueIdSchema = z.string().regex(/^[a-z0-9-]{8,64}$/);

export const annotationQueueCreatedV1 = z.object({
  queueId: queueIdSchema,
  workloadId: workloadIdSchema,
  name: z.string().min(1).max(200),
  /** The metrics annotators label, each pass/fail. */
  metricIds: z.array(metricIdSchema).min(1).max(20),
  filter: z.object({
    nodeType: nodeTypeSchema.nullable(),
    model: z.string().max(256).nullable(),
    from: z.iso.datetime({ offset: true }).nullable(),
    to: z.iso.datetime({ offset: true }).nullable(),
  }),
  stratifyBy: stratifyKeySchema,
  sampleSize: z.number().int().min(1).max(5_000),
  /** Distinct annotators per item: 2 or more gives human-vs-human agreement. */
  labelsPerItem: z.number().int().min(1).max(5),
  /** The sample drawn when the queue was created, in the order it is served. */
  items: z
    .array(z.object({ interactionId: idSchema, stratum: z.string().max(256), interactionOccurredAt: z.iso.datetime({ offset: true }) }))
    .max(5_000),
});
export type AnnotationQueueCreatedData = z.infer<typeof annotationQueueCreatedV1>;

export const annotationItemClaimedV1 = z.object({
  queueId: queueIdSchema,
  interactionId: idSchema,
  annotator: z.string().min(1).max(200),
  leaseExpiresAt: z.iso.datetime({ offset: true }),
});

export const labelSubmittedV1 = z.object({
  queueId: queueIdSchema,
  workloadId: workloadIdSchema,
  interactionId: idSchema,
  annotator: z.string().min(1).max(200),
  labels: z.array(z.object({ metricId: metricIdSchema, metricVersion: z.number().int().positive(), pass: z.boolean(), note: z.string().max(2_000).nullable() })).min(1).max(20),
  interactionOccurredAt: z.iso.datetime({ offset: true }),
  /** From the interaction to this label: labels made while the context is fresh agree better. */
  timeToLabelMs: z.number().nonnegative(),
});

export const annotationItemSkippedV1 = z.object({
  queueId: queueIdSchema,
  interactionId: idSchema,
  annotator: z.string().min(1).max(200),
  reason: z.string().max(500).nullable(),
});

export const AnnotationQueueCreated = defineEvent('AnnotationQueueCreated', annotationQueueCreatedV1);
export const AnnotationItemClaimed = defineEvent('AnnotationItemClaimed', annotationItemClaimedV1);
export const LabelSubmitted = defineEvent('LabelSubmitted', labelSubmittedV1);
export const AnnotationItemSkipped = defineEvent('AnnotationItemSkipped', annotationItemSkippedV1);

// ---- validators: input validators, their settings per workload and what they found for each logged input

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

// ---- pipelines -------------------------------------------------------------------------------

/** What a workload's pipeline nodes are checked against: a sample database, reference queries, the classifier's classes. */
export const pipelineChecksConfiguredV1 = z.object({
  workloadId: workloadIdSchema,
  /** SQL that builds the sample SQLite database codegen output runs against; null: no execution check. */
  sampleDatabaseSql: z.string().max(2_000_000).nullable(),
  /** sha256 of sampleDatabaseSql: names the built database file. */
  sampleDatabaseHash: z.string().regex(/^[0-9a-f]{64}$/).nullable(),
  /** Reference answers: for this question, generated SQL must return the same rows as this SQL. */
  references: z.array(z.object({ question: z.string().min(1).max(2_000), sql: z.string().min(1).max(20_000) })).max(1_000),
  /** The labels a classifier node may answer with; empty: not checked. */
  classes: z.array(z.string().min(1).max(200)).max(200),
});

/** A person's answer to "which class is right for this classifier input": the ground truth of the classifier rules. */
export const classLabelledV1 = z.object({
  workloadId: workloadIdSchema,
  interactionId: idSchema,
  expectedClass: z.string().min(1).max(200),
  annotator: z.string().min(1).max(200),
});

export const NODE_CHECKS = ['sql-parses', 'sql-read-only', 'sql-executes', 'sql-matches-reference', 'class-valid'] as const;

export const pipelineNodeCheckedV1 = z.object({
  workloadId: workloadIdSchema,
  interactionId: idSchema,
  pipelineRunId: idSchema,
  nodeId: idSchema,
  nodeType: nodeTypeSchema,
  interactionOccurredAt: z.iso.datetime({ offset: true }),
  checks: z.array(z.object({ check: z.enum(NODE_CHECKS), pass: z.boolean(), evidence: z.string().max(1_000) })).max(NODE_CHECKS.length),
  /** A classifier node's answer, for the per-class report. */
  predictedClass: z.string().max(200).nullable(),
  /** Names the checks' logic: results of another version are not mixed in. */
  checkerVersion: z.string().min(1).max(64),
});
export type PipelineNodeCheckedData = z.infer<typeof pipelineNodeCheckedV1>;

export const PipelineChecksConfigured = defineEvent('PipelineChecksConfigured', pipelineChecksConfiguredV1);
export const ClassLabelled = defineEvent('ClassLabelled', classLabelledV1);
export const PipelineNodeChecked = defineEvent('PipelineNodeChecked', pipelineNodeCheckedV1);

/**
 * Streams: `metric-<metricId>`, `evaluation-<interactionId>` (judge and rules),
 * `judgesampling-<workloadId>`, `annotationqueue-<queueId>` (the queue, its claims and labels,
 * and the human MetricEvaluated results, appended with the label they come from),
 * `pipelinechecks-<workloadId>`, `classlabel-<interactionId>`, `nodecheck-<interactionId>`.
 */
export const METRIC_CATEGORY = 'metric';
export const EVALUATION_CATEGORY = 'evaluation';
export const JUDGE_SAMPLING_CATEGORY = 'judgesampling';
export const ANNOTATION_QUEUE_CATEGORY = 'annotationqueue';
export const PIPELINE_CHECKS_CATEGORY = 'pipelinechecks';
export const CLASS_LABEL_CATEGORY = 'classlabel';
export const NODE_CHECK_CATEGORY = 'nodecheck';

export const evaluationEvents = [
  MetricDefined,
  MetricRevised,
  MetricRetired,
  MetricEvaluated,
  JudgeSamplingSet,
  EvaluationSkipped,
  AnnotationQueueCreated,
  AnnotationItemClaimed,
  LabelSubmitted,
  AnnotationItemSkipped,
  InputValidatorsConfigured,
  InputValidated,
  PipelineChecksConfigured,
  ClassLabelled,
  PipelineNodeChecked,
] as const;
