import type { PipelineSettingsDoc } from '../../projections/evaluation-pipelines';
import { Forbidden } from '../../services/auth/errors';
import { InputInvalid, NotFound } from '../../services/errors';
import type { ClassifierReport, ClassReport, NodeReport, RunReport } from '../../services/evaluation/pipelines/pipeline-service';
import { builder } from '../builder';
import { commandContext, requireWorkload } from '../guards';
import { MetricResultRef } from './evaluation';

const NodeCheckRef = builder.objectRef<NodeReport['checks'][number]>('PipelineNodeCheck').implement({
  fields: (t) => ({
    check: t.string({ description: 'sql-parses, sql-read-only, sql-executes, sql-matches-reference or class-valid.', resolve: (c) => c.check }),
    pass: t.boolean({ resolve: (c) => c.pass }),
    evidence: t.string({ resolve: (c) => c.evidence }),
  }),
});

const NodeReportRef = builder.objectRef<NodeReport>('PipelineNodeReport').implement({
  fields: (t) => ({
    interactionId: t.string({ resolve: (n) => n.interactionId }),
    nodeId: t.string({ resolve: (n) => n.nodeId }),
    nodeType: t.string({ resolve: (n) => n.nodeType }),
    occurredAt: t.field({ type: 'DateTime', resolve: (n) => n.occurredAt }),
    status: t.string({ description: 'passed, failed or unchecked.', resolve: (n) => n.status }),
    checks: t.field({ type: [NodeCheckRef], resolve: (n) => [...n.checks] }),
    results: t.field({ type: [MetricResultRef], description: 'Metric results under each metric’s newest version (the judge for writers).', resolve: (n) => [...n.results] }),
    failures: t.stringList({ resolve: (n) => [...n.failures] }),
  }),
});

const RunReportRef = builder.objectRef<RunReport>('PipelineRunReport').implement({
  fields: (t) => ({
    runId: t.string({ resolve: (r) => r.runId }),
    workloadId: t.string({ resolve: (r) => r.workloadId }),
    status: t.string({ description: 'failed (some node failed), passed (every node checked and passed) or incomplete.', resolve: (r) => r.status }),
    firstFailingNode: t.field({ type: NodeReportRef, nullable: true, resolve: (r) => r.firstFailingNode }),
    nodes: t.field({ type: [NodeReportRef], description: 'In the order they ran.', resolve: (r) => [...r.nodes] }),
  }),
});

const ClassReportRef = builder.objectRef<ClassReport>('ClassifierClassReport').implement({
  fields: (t) => ({
    className: t.string({ resolve: (c) => c.className }),
    support: t.int({ resolve: (c) => c.support }),
    precision: t.float({ nullable: true, resolve: (c) => c.precision }),
    recall: t.float({ nullable: true, resolve: (c) => c.recall }),
  }),
});

const ClassifierReportRef = builder.objectRef<ClassifierReport>('ClassifierReport').implement({
  fields: (t) => ({
    workloadId: t.string({ resolve: (r) => r.workloadId }),
    labelled: t.int({ resolve: (r) => r.labelled }),
    accuracy: t.float({ nullable: true, resolve: (r) => r.accuracy }),
    classes: t.field({ type: [ClassReportRef], resolve: (r) => [...r.classes] }),
  }),
});

const PipelineChecksRef = builder.objectRef<PipelineSettingsDoc>('PipelineChecks').implement({
  fields: (t) => ({
    workloadId: t.string({ resolve: (s) => s._id }),
    sampleDatabaseHash: t.string({ nullable: true, resolve: (s) => s.sampleDatabaseHash }),
    references: t.int({ description: 'How many reference queries.', resolve: (s) => s.references.length }),
    classes: t.stringList({ resolve: (s) => s.classes }),
    updatedAt: t.field({ type: 'DateTime', resolve: (s) => s.updatedAt }),
  }),
});

const ReferenceInput = builder.inputType('ReferenceQueryInput', {
  fields: (t) => ({ question: t.string({ required: true }), sql: t.string({ required: true }) }),
});

const PipelineChecksInput = builder.inputType('PipelineChecksInput', {
  fields: (t) => ({
    workloadId: t.string({ required: true }),
    sampleDatabaseSql: t.string({ description: 'SQL that builds the sample SQLite database generated SQL runs against (read-only, time-limited).' }),
    references: t.field({ type: [ReferenceInput], description: 'Reference answers: generated SQL for this question must return the same rows.' }),
    classes: t.stringList({ description: 'The labels a classifier node may answer with.' }),
  }),
});

const ClassLabelledRef = builder.objectRef<{ interactionId: string; expectedClass: string }>('ClassLabelled').implement({
  fields: (t) => ({ interactionId: t.string({ resolve: (c) => c.interactionId }), expectedClass: t.string({ resolve: (c) => c.expectedClass }) }),
});

builder.mutationFields((t) => ({
  configurePipelineChecks: t.field({
    type: PipelineChecksRef,
    description: 'Register the sample database, reference queries and classifier classes a workload’s pipeline nodes are checked against.',
    authScopes: { admin: true },
    args: { input: t.arg({ type: PipelineChecksInput, required: true }) },
    errors: { types: [InputInvalid, Forbidden], directResult: true, union: { name: 'ConfigurePipelineChecksResult' } },
    resolve: async (_root, { input }, context) => {
      requireWorkload(context, input.workloadId);
      const pipelines = context.services.evaluation.pipelines;
      const { position } = await pipelines.configure(
        { workloadId: input.workloadId, sampleDatabaseSql: input.sampleDatabaseSql ?? null, references: input.references ?? [], classes: input.classes ?? [] },
        commandContext(context),
      );
      await context.waitForProjection(position);
      const doc = await pipelines.settings(input.workloadId);
      if (!doc) throw new Error(`pipeline settings of ${input.workloadId} missing after position ${position}`);
      return doc;
    },
  }),
  labelClass: t.field({
    type: ClassLabelledRef,
    description: 'The class a classifier interaction should have answered: the ground truth its per-class report is computed against.',
    authScopes: { annotate: true },
    args: { interactionId: t.arg.string({ required: true }), expectedClass: t.arg.string({ required: true }) },
    errors: { types: [InputInvalid, NotFound, Forbidden], directResult: true, union: { name: 'LabelClassResult' } },
    resolve: async (_root, { interactionId, expectedClass }, context) => {
      const interaction = await context.loaders.interaction.load(interactionId);
      if (interaction) requireWorkload(context, interaction.workloadId);
      const { position } = await context.services.evaluation.pipelines.labelClass(interactionId, expectedClass, commandContext(context));
      await context.waitForProjection(position);
      return { interactionId, expectedClass: expectedClass.trim() };
    },
  }),
}));

builder.queryFields((t) => ({
  pipelineRunReport: t.field({
    type: RunReportRef,
    nullable: true,
    description: 'Every node of a pipeline run with its checks and metric results, and the first node that failed.',
    authScopes: { read: true },
    args: { runId: t.arg.string({ required: true }) },
    resolve: async (_root, { runId }, context) => {
      const report = await context.services.evaluation.pipelines.runReport(runId);
      if (report) requireWorkload(context, report.workloadId);
      return report;
    },
  }),
  classifierReport: t.field({
    type: ClassifierReportRef,
    description: 'Accuracy, and precision and recall per class, of the workload’s classifier nodes against people’s class labels.',
    authScopes: { read: true },
    args: { workloadId: t.arg.string({ required: true }) },
    resolve: async (_root, { workloadId }, context) => {
      requireWorkload(context, workloadId);
      return context.services.evaluation.pipelines.classifierReport(workloadId);
    },
  }),
}));
