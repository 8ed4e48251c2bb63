import type { EvaluatorKind } from '../events/catalogue/evaluation';
import type { DomainEventMap } from '../events/catalogue/handlers';
import { defineProjection, type ProjectedOperation } from './projection';
import type { Document } from './read-store';

export const METRICS = 'metrics';
export const METRIC_RESULTS = 'metricResults';
export const METRIC_DAILY = 'metricDaily';
export const JUDGE_SAMPLING = 'judgeSampling';

export interface MetricVersionDoc {
  readonly version: number;
  readonly name: string;
  readonly question: string;
  readonly rubric: string;
  readonly judgeModel: string | null;
  readonly definedAt: string;
  readonly definedBy: string;
  [field: string]: string | number | null;
}

/** A metric as it stands, with every version it has had. */
export interface MetricDoc extends Document {
  readonly workloadId: string;
  readonly nodeType: string | null;
  readonly name: string;
  readonly question: string;
  readonly rubric: string;
  readonly judgeModel: string | null;
  readonly version: number;
  readonly status: 'active' | 'retired';
  readonly retiredAt: string | null;
  readonly versions: MetricVersionDoc[];
}

/** One evaluator's result for one interaction under one metric version. */
export interface MetricResultDoc extends Document {
  readonly workloadId: string;
  readonly metricId: string;
  readonly metricVersion: number;
  readonly interactionId: string;
  readonly nodeType: string | null;
  readonly pipelineRunId: string | null;
  readonly pass: boolean;
  readonly rationale: string | null;
  readonly evaluatorKind: EvaluatorKind;
  readonly evaluatorId: string;
  readonly evaluatorVersion: string;
  readonly interactionOccurredAt: string;
  readonly evaluatedAt: string;
  readonly timeToLabelMs: number | null;
  readonly costUsd: number | null;
}

/** Pass counts per workload, metric, version, evaluator kind and day of the traffic. */
export interface MetricDailyDoc extends Document {
  readonly workloadId: string;
  readonly metricId: string;
  readonly metricVersion: number;
  readonly evaluatorKind: EvaluatorKind;
  readonly day: string;
  readonly evaluated: number;
  readonly passed: number;
  readonly costUsd: number;
}

export interface JudgeSamplingDoc extends Document {
  readonly rate: number;
  readonly nodeTypes: string[];
  readonly models: string[];
  readonly updatedAt: string;
}

/** Results of one evaluator for one metric version and interaction replace each other: the last word counts. */
export function resultId(metricId: string, version: number, interactionId: string, kind: EvaluatorKind, evaluatorId: string): string {
  return `${metricId}@${version}|${interactionId}|${kind}:${evaluatorId}`;
}

export function dailyId(workloadId: string, metricId: string, version: number, kind: EvaluatorKind, day: string): string {
  return `${workloadId}|${metricId}@${version}|${kind}|${day}`;
}

export function metricEvaluatedTopic(workloadId: string): string {
  return `metric.evaluated.${workloadId}`;
}

/** A metric's definition at one version, as both MetricDefined and MetricRevised state it. */
function versionOf(event: DomainEventMap['MetricDefined'] | DomainEventMap['MetricRevised']): { version: MetricVersionDoc; current: Pick<MetricDoc, 'name' | 'question' | 'rubric' | 'judgeModel' | 'version'> } {
  const d = event.data;
  return {
    version: { version: d.version, name: d.name, question: d.question, rubric: d.rubric, judgeModel: d.judgeModel, definedAt: event.metadata.occurredAt, definedBy: event.metadata.actor },
    current: { name: d.name, question: d.question, rubric: d.rubric, judgeModel: d.judgeModel, version: d.version },
  };
}

export const evaluationProjection = defineProjection({
  name: 'evaluation',
  collections: [
    { name: METRICS, indexes: [{ fields: { workloadId: 1, status: 1 } }] },
    {
      name: METRIC_RESULTS,
      indexes: [
        { fields: { interactionId: 1 } },
        { fields: { workloadId: 1, metricId: 1, metricVersion: 1 } },
        { fields: { pipelineRunId: 1 } },
      ],
    },
    { name: METRIC_DAILY, indexes: [{ fields: { workloadId: 1, day: 1 } }] },
    { name: JUDGE_SAMPLING, indexes: [] },
  ],
  on: {
    MetricDefined: (event) => {
      const d = event.data;
      const { version, current } = versionOf(event);
      const doc: Omit<MetricDoc, '_id'> = { workloadId: d.workloadId, nodeType: d.nodeType, ...current, status: 'active', retiredAt: null, versions: [version] };
      return [{ op: 'replace', collection: METRICS, id: d.metricId, doc }];
    },
    MetricRevised: (event) => {
      const { version, current } = versionOf(event);
      return [{ op: 'update', collection: METRICS, id: event.data.metricId, update: { $set: current, $push: { versions: version } } }];
    },
    MetricRetired: (event) => [
      { op: 'update', collection: METRICS, id: event.data.metricId, update: { $set: { status: 'retired', retiredAt: event.metadata.occurredAt } } },
    ],
    MetricEvaluated: (event): ProjectedOperation[] => {
      const d = event.data;
      const { kind, id: evaluatorId, version: evaluatorVersion } = d.evaluator;
      const doc: Omit<MetricResultDoc, '_id'> = {
        workloadId: d.workloadId,
        metricId: d.metricId,
        metricVersion: d.metricVersion,
        interactionId: d.interactionId,
        nodeType: d.nodeType,
        pipelineRunId: d.pipelineRunId,
        pass: d.pass,
        rationale: d.rationale,
        evaluatorKind: kind,
        evaluatorId,
        evaluatorVersion,
        interactionOccurredAt: d.interactionOccurredAt,
        evaluatedAt: event.metadata.occurredAt,
        timeToLabelMs: d.timeToLabelMs,
        costUsd: d.costUsd,
      };
      const day = d.interactionOccurredAt.slice(0, 10);
      return [
        { op: 'replace', collection: METRIC_RESULTS, id: resultId(d.metricId, d.metricVersion, d.interactionId, kind, evaluatorId), doc },
        {
          op: 'update',
          collection: METRIC_DAILY,
          id: dailyId(d.workloadId, d.metricId, d.metricVersion, kind, day),
          upsert: true,
          update: {
            $setOnInsert: { workloadId: d.workloadId, metricId: d.metricId, metricVersion: d.metricVersion, evaluatorKind: kind, day },
            $inc: { evaluated: 1, passed: d.pass ? 1 : 0, costUsd: d.costUsd ?? 0 },
          },
        },
      ];
    },
    JudgeSamplingSet: (event) => {
      const d = event.data;
      const doc: Omit<JudgeSamplingDoc, '_id'> = { rate: d.rate, nodeTypes: [...d.nodeTypes], models: [...d.models], updatedAt: event.metadata.occurredAt };
      return [{ op: 'replace', collection: JUDGE_SAMPLING, id: d.workloadId, doc }];
    },
  },
  notify: {
    MetricEvaluated: (event) => {
      const d = event.data;
      return [
        {
          topic: metricEvaluatedTopic(d.workloadId),
          message: { resultId: resultId(d.metricId, d.metricVersion, d.interactionId, d.evaluator.kind, d.evaluator.id), position: event.position },
        },
      ];
    },
  },
});
