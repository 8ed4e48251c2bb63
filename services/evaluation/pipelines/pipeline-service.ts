import { z } from 'zod';
import { CLASS_LABEL_CATEGORY, ClassLabelled, PIPELINE_CHECKS_CATEGORY, PipelineChecksConfigured } from '../../../events/catalogue/evaluation';
import { idSchema, workloadIdSchema } from '../../../events/catalogue/ingest';
import type { DomainEventStore } from '../../../events/catalogued-event-store';
import { commandMetadata, streamName } from '../../../events/envelope';
import { deterministicUuid, sha256Hex } from '../../../lib/ids';
import { METRIC_RESULTS, type MetricResultDoc } from '../../../projections/evaluation';
import { NODE_CHECKS, PIPELINE_SETTINGS, type NodeCheckDoc, type PipelineSettingsDoc } from '../../../projections/evaluation-pipelines';
import { INTERACTIONS, type InteractionDoc } from '../../../projections/interactions';
import type { ReadStore } from '../../../projections/read-store';
import { handleCommand } from '../../command-handler';
import type { CommandContext } from '../../commands';
import { InputInvalid, issuesFromZod, NotFound } from '../../errors';
import { settingsDecider } from '../../settings-decider';

const settingsInput = z.object({
  workloadId: workloadIdSchema,
  sampleDatabaseSql: z.string().trim().min(1).max(2_000_000).nullish(),
  references: z.array(z.object({ question: z.string().trim().min(1).max(2_000), sql: z.string().trim().min(1).max(20_000) })).max(1_000).default([]),
  classes: z.array(z.string().trim().min(1).max(200)).max(200).default([]),
});

/** A workload's pipeline checks: each change replaces the previous settings whole. */
export const pipelineSettingsDecider = settingsDecider({
  event: PipelineChecksConfigured,
  read: (event) => (event.type === 'PipelineChecksConfigured' ? event.data : null),
});

const checkSchema = z.object({ check: z.string(), pass: z.boolean(), evidence: z.string() });

export interface NodeReport {
  readonly interactionId: string;
  readonly nodeId: string;
  readonly nodeType: string;
  readonly occurredAt: string;
  readonly status: 'passed' | 'failed' | 'unchecked';
  readonly checks: readonly z.infer<typeof checkSchema>[];
  readonly results: readonly MetricResultDoc[];
  /** Why it failed: the failed checks and metrics, in words. */
  readonly failures: readonly string[];
}

export interface RunReport {
  readonly runId: string;
  readonly workloadId: string;
  /** failed: some node failed; passed: every node checked and passed; incomplete: otherwise. */
  readonly status: 'passed' | 'failed' | 'incomplete';
  readonly firstFailingNode: NodeReport | null;
  readonly nodes: readonly NodeReport[];
}

export interface ClassReport {
  readonly className: string;
  readonly support: number;
  readonly precision: number | null;
  readonly recall: number | null;
}

export interface ClassifierReport {
  readonly workloadId: string;
  readonly labelled: number;
  readonly accuracy: number | null;
  readonly classes: readonly ClassReport[];
}

/** Pipeline settings, class labels, run reports and the classifier's per-class report. */
export class PipelineService {
  constructor(private readonly deps: { readonly store: DomainEventStore; readonly readStore: ReadStore; readonly now: () => Date }) {}

  async configure(input: z.input<typeof settingsInput>, context: CommandContext): Promise<{ position: number }> {
    const parsed = settingsInput.safeParse(input);
    if (!parsed.success) throw new InputInvalid(issuesFromZod(parsed.error));
    const p = parsed.data;
    const sql = p.sampleDatabaseSql ?? null;
    const handled = await handleCommand(this.deps.store, streamName(PIPELINE_CHECKS_CATEGORY, p.workloadId), pipelineSettingsDecider, {
      type: 'ReplaceSettings',
      key: p.workloadId,
      data: { workloadId: p.workloadId, sampleDatabaseSql: sql, sampleDatabaseHash: sql ? sha256Hex(sql) : null, references: p.references, classes: p.classes },
      metadata: commandMetadata({ ...context, now: this.deps.now() }),
    });
    return { position: handled.position };
  }

  settings(workloadId: string): Promise<PipelineSettingsDoc | null> {
    return this.deps.readStore.findById<PipelineSettingsDoc>(PIPELINE_SETTINGS, workloadId);
  }

  /** The class a classifier interaction should have answered, by a person (latest label wins). */
  async labelClass(interactionId: string, expectedClass: string, context: CommandContext): Promise<{ workloadId: string; position: number }> {
    const parsed = z.object({ interactionId: idSchema, expectedClass: z.string().trim().min(1).max(200) }).safeParse({ interactionId, expectedClass });
    if (!parsed.success) throw new InputInvalid(issuesFromZod(parsed.error));
    const interaction = await this.deps.readStore.findById<InteractionDoc>(INTERACTIONS, interactionId);
    if (!interaction) throw new NotFound('interaction', interactionId);
    const metadata = commandMetadata({ actor: context.actor, correlationId: context.correlationId, now: this.deps.now() });
    const result = await this.deps.store.append(streamName(CLASS_LABEL_CATEGORY, interactionId), [
      ClassLabelled.create({
        id: deterministicUuid(ClassLabelled.type, interactionId, context.actor, metadata.occurredAt),
        data: { workloadId: interaction.workloadId, interactionId, expectedClass: parsed.data.expectedClass, annotator: context.actor },
        metadata: metadata,
      }),
    ]);
    return { workloadId: interaction.workloadId, position: result.position };
  }

  async runReport(runId: string): Promise<RunReport | null> {
    const interactions = (await this.deps.readStore.find<InteractionDoc>(INTERACTIONS, { pipelineRunId: runId }, { limit: 1_000 })).docs;
    if (interactions.length === 0) return null;
    const ids = interactions.map((i) => i._id);
    const [checks, results] = await Promise.all([
      this.deps.readStore.findByIds<NodeCheckDoc>(NODE_CHECKS, ids),
      this.deps.readStore.find<MetricResultDoc>(METRIC_RESULTS, { interactionId: { $in: ids } }, { limit: 10_000 }),
    ]);
    const checksOf = new Map(checks.map((c) => [c._id, z.array(checkSchema).catch([]).parse(c.checks)]));
    const nodes = [...interactions]
      .sort((a, b) => (a.occurredAt < b.occurredAt ? -1 : a.occurredAt > b.occurredAt ? 1 : a.position - b.position))
      .map((i): NodeReport => {
        const nodeChecks = checksOf.get(i._id) ?? [];
        const nodeResults = latestPerMetric(results.docs.filter((r) => r.interactionId === i._id));
        const failures = [
          ...nodeChecks.filter((c) => !c.pass).map((c) => `${c.check}: ${c.evidence}`),
          ...nodeResults.filter((r) => !r.pass).map((r) => `${r.metricId}@${r.metricVersion} (${r.evaluatorKind}): ${r.rationale ?? 'fail'}`),
        ];
        const checked = nodeChecks.length + nodeResults.length > 0;
        return {
          interactionId: i._id,
          nodeId: i.nodeId ?? i._id,
          nodeType: i.nodeType ?? 'unknown',
          occurredAt: i.occurredAt,
          status: failures.length > 0 ? 'failed' : checked ? 'passed' : 'unchecked',
          checks: nodeChecks,
          results: nodeResults,
          failures,
        };
      });
    const firstFailingNode = nodes.find((n) => n.status === 'failed') ?? null;
    const status = firstFailingNode ? 'failed' : nodes.every((n) => n.status === 'passed') ? 'passed' : 'incomplete';
    return { runId, workloadId: interactions[0]?.workloadId ?? '', status, firstFailingNode, nodes };
  }

  /** Accuracy, and precision and recall per class, of classifier nodes with a person's label. */
  async classifierReport(workloadId: string): Promise<ClassifierReport> {
    const docs = (
      await this.deps.readStore.find<NodeCheckDoc>(NODE_CHECKS, { workloadId, nodeType: 'classifier', expectedClass: { $ne: null } }, { limit: 10_000 })
    ).docs.filter((d): d is NodeCheckDoc & { predictedClass: string; expectedClass: string } => d.predictedClass !== null && d.expectedClass !== null && d.expectedClass !== undefined);
    const classes = [...new Set(docs.flatMap((d) => [d.expectedClass, d.predictedClass]))].sort();
    const accuracy = docs.length === 0 ? null : docs.filter((d) => d.predictedClass === d.expectedClass).length / docs.length;
    return {
      workloadId,
      labelled: docs.length,
      accuracy,
      classes: classes.map((c) => {
        const truePositive = docs.filter((d) => d.predictedClass === c && d.expectedClass === c).length;
        const predicted = docs.filter((d) => d.predictedClass === c).length;
        const actual = docs.filter((d) => d.expectedClass === c).length;
        return { className: c, support: actual, precision: predicted === 0 ? null : truePositive / predicted, recall: actual === 0 ? null : truePositive / actual };
      }),
    };
  }
}

/** Per metric and evaluator kind, only the results under the metric's newest version count. */
function latestPerMetric(results: readonly MetricResultDoc[]): MetricResultDoc[] {
  const newest = new Map<string, number>();
  for (const r of results) newest.set(r.metricId, Math.max(newest.get(r.metricId) ?? 0, r.metricVersion));
  return results.filter((r) => r.metricVersion === newest.get(r.metricId));
}
