import type { NewDomainEvent } from '../../../events/catalogue';
import { MetricEvaluated, type Evaluator } from '../../../events/catalogue/evaluation';
import type { NodeType } from '../../../events/catalogue/ingest';
import { METRICS, type MetricDoc } from '../../../projections/evaluation';
import type { ReadStore } from '../../../projections/read-store';
import type { ReactorContext } from '../../reactor';
import { CHECKER_VERSION } from './node-checks';

/**
 * Node types whose metrics rules evaluate, not the judge: codegen by static analysis and
 * execution, classifiers by their class list and people's class labels. Writers are the judge's.
 */
export const RULE_NODE_TYPES: readonly NodeType[] = ['codegen', 'classifier'];

export function isRuleMetric(metric: Pick<MetricDoc, 'nodeType'>): boolean {
  return RULE_NODE_TYPES.some((t) => t === metric.nodeType);
}

export async function ruleMetrics(readStore: ReadStore, workloadId: string, nodeType: NodeType): Promise<readonly MetricDoc[]> {
  return (await readStore.find<MetricDoc>(METRICS, { workloadId, nodeType, status: 'active' }, { limit: 200 })).docs;
}

export interface RuleOutcome {
  readonly rule: string;
  readonly pass: boolean;
  readonly rationale: string;
}

/** A rule's verdict on each of the node's metrics, as MetricEvaluated under each metric's current version. */
export function ruleResults(
  context: ReactorContext,
  metrics: readonly MetricDoc[],
  outcome: RuleOutcome,
  about: { workloadId: string; interactionId: string; nodeType: NodeType; pipelineRunId: string | null; interactionOccurredAt: string },
): NewDomainEvent[] {
  const evaluator: Evaluator = { kind: 'rule', id: outcome.rule, version: CHECKER_VERSION };
  return metrics.map((metric) => (MetricEvaluated.create({
    id: context.eventId(`rule:${outcome.rule}:${metric._id}@${metric.version}`),
    data: {
      metricId: metric._id,
      metricVersion: metric.version,
      workloadId: about.workloadId,
      interactionId: about.interactionId,
      nodeType: about.nodeType,
      pipelineRunId: about.pipelineRunId,
      pass: outcome.pass,
      rationale: outcome.rationale.slice(0, 4_000),
      evaluator,
      interactionOccurredAt: about.interactionOccurredAt,
      timeToLabelMs: null,
      costUsd: null,
    },
    metadata: context.metadata(),
  })));
}
