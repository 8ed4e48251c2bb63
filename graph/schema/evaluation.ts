import { EVALUATOR_KINDS } from '../../events/catalogue/evaluation';
import { metricEvaluatedTopic, METRIC_RESULTS, type MetricDoc, type MetricResultDoc, type MetricVersionDoc } from '../../projections/evaluation';
import { Forbidden } from '../../services/auth/errors';
import { InputInvalid } from '../../services/errors';
import type { Agreement, AgreementReport, AgreementSplit } from '../../services/evaluation/agreement';
import { MetricAlreadyDefined, MetricIsRetired, MetricNotFound, MetricVersionConflict } from '../../services/evaluation/errors';
import type { TimelinePoint } from '../../services/evaluation/evaluation-queries';
import { workloadOfMetric } from '../../services/evaluation/metric-decider';
import type { MetricChanged } from '../../services/evaluation/metric-service';
import { builder } from '../builder';
import type { GraphContext } from '../context';
import { badUserInput, commandContext, mayUseWorkload, requireWorkload } from '../guards';
import { liveStream } from '../subscriptions';
import { ErrorInterface } from './errors';
import { asNodeType, InteractionRef, NodeTypeEnum } from './interaction';

// ---- errors -------------------------------------------------------------------------------

builder.objectType(MetricNotFound, {
  name: 'MetricNotFound',
  interfaces: [ErrorInterface],
  fields: (t) => ({ metricId: t.exposeString('metricId') }),
});
builder.objectType(MetricAlreadyDefined, {
  name: 'MetricAlreadyDefined',
  interfaces: [ErrorInterface],
  fields: (t) => ({ metricId: t.exposeString('metricId'), version: t.exposeInt('version') }),
});
builder.objectType(MetricIsRetired, {
  name: 'MetricIsRetired',
  interfaces: [ErrorInterface],
  fields: (t) => ({ metricId: t.exposeString('metricId') }),
});
builder.objectType(MetricVersionConflict, {
  name: 'MetricVersionConflict',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    metricId: t.exposeString('metricId'),
    expectedVersion: t.exposeInt('expectedVersion'),
    actualVersion: t.exposeInt('actualVersion'),
  }),
});

// ---- types --------------------------------------------------------------------------------

export const EvaluatorKindEnum = builder.enumType('EvaluatorKind', { values: EVALUATOR_KINDS });
const MetricStatusEnum = builder.enumType('MetricStatus', { values: ['active', 'retired'] as const });

const MetricVersionRef = builder.objectRef<MetricVersionDoc>('MetricVersion').implement({
  fields: (t) => ({
    version: t.int({ resolve: (v) => v.version }),
    name: t.string({ resolve: (v) => v.name }),
    question: t.string({ resolve: (v) => v.question }),
    rubric: t.string({ resolve: (v) => v.rubric }),
    judgeModel: t.string({ nullable: true, resolve: (v) => v.judgeModel }),
    definedAt: t.field({ type: 'DateTime', resolve: (v) => v.definedAt }),
    definedBy: t.string({ resolve: (v) => v.definedBy }),
  }),
});

export const MetricRef = builder.objectRef<MetricDoc>('Metric').implement({
  description: 'A binary (pass/fail) metric of a workload, optionally of one pipeline node type, with every version it has had.',
  fields: (t) => ({
    id: t.string({ resolve: (m) => m._id }),
    workloadId: t.string({ resolve: (m) => m.workloadId }),
    nodeType: t.field({ type: NodeTypeEnum, nullable: true, resolve: (m) => asNodeType(m.nodeType) }),
    name: t.string({ resolve: (m) => m.name }),
    question: t.string({ resolve: (m) => m.question }),
    rubric: t.string({ resolve: (m) => m.rubric }),
    judgeModel: t.string({ nullable: true, description: 'null: the configured default judge model.', resolve: (m) => m.judgeModel }),
    version: t.int({ description: 'The current version; results name the version they were made under.', resolve: (m) => m.version }),
    status: t.field({ type: MetricStatusEnum, resolve: (m) => m.status }),
    retiredAt: t.field({ type: 'DateTime', nullable: true, resolve: (m) => m.retiredAt }),
    versions: t.field({ type: [MetricVersionRef], resolve: (m) => m.versions }),
  }),
});

const EvaluatorRef = builder.objectRef<MetricResultDoc>('Evaluator').implement({
  fields: (t) => ({
    kind: t.field({ type: EvaluatorKindEnum, resolve: (r) => r.evaluatorKind }),
    id: t.string({ description: 'The judge model, the rule, or the annotator.', resolve: (r) => r.evaluatorId }),
    version: t.string({ resolve: (r) => r.evaluatorVersion }),
  }),
});

export const MetricResultRef = builder.objectRef<MetricResultDoc>('MetricResult').implement({
  description: 'One evaluator’s pass/fail for one interaction under one metric version.',
  fields: (t) => ({
    metricId: t.string({ resolve: (r) => r.metricId }),
    metricVersion: t.int({ resolve: (r) => r.metricVersion }),
    workloadId: t.string({ resolve: (r) => r.workloadId }),
    interactionId: t.string({ resolve: (r) => r.interactionId }),
    pipelineRunId: t.string({ nullable: true, resolve: (r) => r.pipelineRunId }),
    pass: t.boolean({ resolve: (r) => r.pass }),
    rationale: t.string({ nullable: true, resolve: (r) => r.rationale }),
    evaluator: t.field({ type: EvaluatorRef, resolve: (r) => r }),
    evaluatedAt: t.field({ type: 'DateTime', resolve: (r) => r.evaluatedAt }),
    interactionOccurredAt: t.field({ type: 'DateTime', resolve: (r) => r.interactionOccurredAt }),
    timeToLabelMs: t.float({ nullable: true, resolve: (r) => r.timeToLabelMs }),
    costUsd: t.float({ nullable: true, resolve: (r) => r.costUsd }),
  }),
});

const TimelinePointRef = builder.objectRef<TimelinePoint>('EvaluationTimelinePoint').implement({
  fields: (t) => ({
    day: t.string({ description: 'YYYY-MM-DD (UTC) of the evaluated traffic.', resolve: (p) => p.day }),
    metricId: t.string({ resolve: (p) => p.metricId }),
    metricVersion: t.int({ resolve: (p) => p.metricVersion }),
    evaluatorKind: t.field({ type: EvaluatorKindEnum, resolve: (p) => p.evaluatorKind }),
    evaluated: t.int({ resolve: (p) => p.evaluated }),
    passed: t.int({ resolve: (p) => p.passed }),
    passRate: t.float({ resolve: (p) => p.passRate }),
    costUsd: t.float({ resolve: (p) => p.costUsd }),
  }),
});

const ConfusionRef = builder.objectRef<Agreement['confusion']>('ConfusionMatrix').implement({
  description: 'Rater A (the judge, or the first annotator) against rater B.',
  fields: (t) => ({
    passPass: t.int({ resolve: (c) => c.passPass }),
    passFail: t.int({ resolve: (c) => c.passFail }),
    failPass: t.int({ resolve: (c) => c.failPass }),
    failFail: t.int({ resolve: (c) => c.failFail }),
  }),
});

const AgreementRef = builder.objectRef<Agreement>('Agreement').implement({
  fields: (t) => ({
    pairs: t.int({ resolve: (a) => a.pairs }),
    percentAgreement: t.float({ nullable: true, resolve: (a) => a.percentAgreement }),
    kappa: t.float({ nullable: true, description: "Cohen's kappa; null when undefined.", resolve: (a) => a.kappa }),
    confusion: t.field({ type: ConfusionRef, resolve: (a) => a.confusion }),
  }),
});

const BucketRef = builder.objectRef<AgreementSplit['byTimeToLabel'][number]>('AgreementByTimeToLabel').implement({
  fields: (t) => ({
    bucket: t.string({ description: 'within-1h, within-1d, within-7d or later.', resolve: (b) => b.bucket }),
    agreement: t.field({ type: AgreementRef, resolve: (b) => b.agreement }),
  }),
});

const SplitRef = builder.objectRef<AgreementSplit>('AgreementSplit').implement({
  fields: (t) => ({
    overall: t.field({ type: AgreementRef, resolve: (s) => s.overall }),
    byTimeToLabel: t.field({ type: [BucketRef], resolve: (s) => [...s.byTimeToLabel] }),
  }),
});

interface ReportSource {
  readonly metric: MetricDoc;
  readonly version: number;
  readonly report: AgreementReport;
}

const AgreementReportRef = builder.objectRef<ReportSource>('AgreementReport').implement({
  fields: (t) => ({
    metric: t.field({ type: MetricRef, resolve: (r) => r.metric }),
    metricVersion: t.int({ resolve: (r) => r.version }),
    interactions: t.int({ resolve: (r) => r.report.interactions }),
    humanLabels: t.int({ resolve: (r) => r.report.humanLabels }),
    judgeResults: t.int({ resolve: (r) => r.report.judgeResults }),
    judgeVsHuman: t.field({ type: SplitRef, resolve: (r) => r.report.judgeVsHuman }),
    humanVsHuman: t.field({ type: SplitRef, resolve: (r) => r.report.humanVsHuman }),
  }),
});

interface Changed extends MetricChanged {
  readonly metric: MetricDoc | null;
}

const MetricChangedRef = builder.objectRef<Changed>('MetricChanged').implement({
  fields: (t) => ({
    metricId: t.string({ resolve: (c) => c.metricId }),
    version: t.int({ resolve: (c) => c.version }),
    position: t.int({ resolve: (c) => c.position }),
    metric: t.field({ type: MetricRef, nullable: true, resolve: (c) => c.metric }),
  }),
});

async function changed(result: MetricChanged, context: GraphContext): Promise<Changed> {
  await context.waitForProjection(result.position);
  return { ...result, metric: await context.services.evaluation.metrics.get(result.metricId) };
}

// ---- mutations ----------------------------------------------------------------------------

const DefineMetricInput = builder.inputType('DefineMetricInput', {
  fields: (t) => ({
    workloadId: t.string({ required: true }),
    nodeType: t.field({ type: NodeTypeEnum, description: 'Only pipeline nodes of this type; omitted: every interaction.' }),
    name: t.string({ required: true, description: 'Also names the metric id: <workloadId>.<name slug>[.<nodeType>].' }),
    question: t.string({ required: true, description: 'The yes/no question, e.g. "Does the answer cite the manual?".' }),
    rubric: t.string({ description: 'What passes and what fails, with examples.' }),
    judgeModel: t.string({ description: 'The judge model for this metric; omitted: the configured default.' }),
  }),
});

const ReviseMetricInput = builder.inputType('ReviseMetricInput', {
  fields: (t) => ({
    metricId: t.string({ required: true }),
    expectedVersion: t.int({ description: 'Refused with MetricVersionConflict unless this is the current version.' }),
    name: t.string(),
    question: t.string(),
    rubric: t.string(),
    judgeModel: t.string({ description: 'An empty string goes back to the default judge model.' }),
  }),
});

const metricErrors = [InputInvalid, MetricNotFound, MetricIsRetired, MetricVersionConflict, Forbidden];

builder.mutationFields((t) => ({
  defineMetric: t.field({
    type: MetricChangedRef,
    description: 'Define a binary metric (version 1). Sending the same definition again is a no-op.',
    authScopes: { admin: true },
    args: { input: t.arg({ type: DefineMetricInput, required: true }) },
    errors: { types: [InputInvalid, MetricAlreadyDefined, Forbidden], directResult: true, union: { name: 'DefineMetricResult' } },
    resolve: async (_root, { input }, context) => {
      requireWorkload(context, input.workloadId);
      const result = await context.services.evaluation.metrics.define(input, commandContext(context));
      return changed(result, context);
    },
  }),
  reviseMetric: t.field({
    type: MetricChangedRef,
    description: 'Revise a metric: a new version. Results under older versions stay apart from new ones.',
    authScopes: { admin: true },
    args: { input: t.arg({ type: ReviseMetricInput, required: true }) },
    errors: { types: metricErrors, directResult: true, union: { name: 'ReviseMetricResult' } },
    resolve: async (_root, { input }, context) => {
      requireWorkload(context, workloadOfMetric(input.metricId));
      const result = await context.services.evaluation.metrics.revise(input, commandContext(context));
      return changed(result, context);
    },
  }),
  retireMetric: t.field({
    type: MetricChangedRef,
    description: 'Retire a metric: no new evaluations; its results stay.',
    authScopes: { admin: true },
    args: { metricId: t.arg.string({ required: true }), reason: t.arg.string() },
    errors: { types: metricErrors, directResult: true, union: { name: 'RetireMetricResult' } },
    resolve: async (_root, { metricId, reason }, context) => {
      requireWorkload(context, workloadOfMetric(metricId));
      return changed(await context.services.evaluation.metrics.retire(metricId, reason ?? null, commandContext(context)), context);
    },
  }),
}));

// ---- queries ------------------------------------------------------------------------------

const DAY_RE = /^\d{4}-\d{2}-\d{2}$/;

builder.queryFields((t) => ({
  metrics: t.field({
    type: [MetricRef],
    authScopes: { read: true },
    args: { workloadId: t.arg.string({ required: true }), includeRetired: t.arg.boolean({ defaultValue: false }) },
    resolve: async (_root, { workloadId, includeRetired }, context) => {
      requireWorkload(context, workloadId);
      return [...(await context.services.evaluation.metrics.list(workloadId, includeRetired ?? false))];
    },
  }),
  metric: t.field({
    type: MetricRef,
    nullable: true,
    authScopes: { read: true },
    args: { id: t.arg.string({ required: true }) },
    resolve: async (_root, { id }, context) => {
      const metric = await context.services.evaluation.metrics.get(id);
      return metric && mayUseWorkload(context.principal, metric.workloadId) ? metric : null;
    },
  }),
  metricResults: t.field({
    type: [MetricResultRef],
    description: 'Every result for one interaction: each metric version and evaluator.',
    authScopes: { read: true },
    args: { interactionId: t.arg.string({ required: true }) },
    resolve: async (_root, { interactionId }, context) => {
      const results = await context.services.evaluation.queries.resultsFor([interactionId]);
      return results.filter((r) => mayUseWorkload(context.principal, r.workloadId));
    },
  }),
  evaluationTimeline: t.field({
    type: [TimelinePointRef],
    description: 'Pass rates per day of traffic, metric, metric version and evaluator kind.',
    authScopes: { read: true },
    args: {
      workloadId: t.arg.string({ required: true }),
      metricId: t.arg.string(),
      evaluatorKind: t.arg({ type: EvaluatorKindEnum }),
      fromDay: t.arg.string({ description: 'YYYY-MM-DD, inclusive.' }),
      toDay: t.arg.string({ description: 'YYYY-MM-DD, inclusive.' }),
    },
    resolve: async (_root, args, context) => {
      requireWorkload(context, args.workloadId);
      for (const day of [args.fromDay, args.toDay]) {
        if (day && !DAY_RE.test(day)) throw badUserInput('fromDay and toDay are YYYY-MM-DD');
      }
      return [...(await context.services.evaluation.queries.timeline(args))];
    },
  }),
  agreementReport: t.field({
    type: AgreementReportRef,
    description: 'Judge-vs-human and human-vs-human agreement on one metric version (default: the current one).',
    authScopes: { read: true },
    args: { metricId: t.arg.string({ required: true }), version: t.arg.int() },
    errors: { types: [MetricNotFound], directResult: true, union: { name: 'AgreementReportResult' } },
    resolve: async (_root, { metricId, version }, context) => {
      requireWorkload(context, workloadOfMetric(metricId));
      return context.services.evaluation.queries.agreement(metricId, version ?? null);
    },
  }),
}));

// ---- subscriptions ------------------------------------------------------------------------

builder.subscriptionFields((t) => ({
  metricEvaluated: t.field({
    type: MetricResultRef,
    description: 'Each new result for a workload, once the read model has it.',
    authScopes: { read: true },
    args: { workloadId: t.arg.string({ required: true }) },
    subscribe: (_root, { workloadId }, context) => {
      requireWorkload(context, workloadId);
      return liveStream<{ resultId: string }, MetricResultDoc>(context, metricEvaluatedTopic(workloadId), (m) =>
        context.readStore.findById<MetricResultDoc>(METRIC_RESULTS, m.resultId),
      );
    },
    resolve: (doc) => doc,
  }),
}));

// ---- on Interaction -----------------------------------------------------------------------

builder.objectFields(InteractionRef, (t) => ({
  evaluations: t.loadableList({
    type: MetricResultRef,
    description: 'Every metric result for this interaction (batched per request: one read for a page of interactions).',
    load: async (ids: string[], context) => {
      const results = await context.services.evaluation.queries.resultsFor(ids);
      return ids.map((id) => results.filter((r) => r.interactionId === id));
    },
    resolve: (interaction) => interaction._id,
  }),
}));
