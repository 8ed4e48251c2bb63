import { z } from 'zod';
import { JudgeSamplingSet, JUDGE_SAMPLING_CATEGORY, METRIC_CATEGORY, metricIdSchema } from '../../events/catalogue/evaluation';
import { nodeTypeSchema, workloadIdSchema, type NodeType } from '../../events/catalogue/ingest';
import type { DomainEventStore } from '../../events/catalogued-event-store';
import { commandMetadata, streamName } from '../../events/envelope';
import { METRICS, type MetricDoc } from '../../projections/evaluation';
import type { ReadStore } from '../../projections/read-store';
import { handleCommand } from '../command-handler';
import type { CommandContext } from '../commands';
import { InputInvalid, issuesFromZod } from '../errors';
import { settingsDecider } from '../settings-decider';
import { MetricNotFound } from './errors';
import * as metric from './metric-decider';

export interface DefineMetricInput {
  readonly workloadId: string;
  readonly nodeType?: NodeType | null;
  readonly name: string;
  readonly question: string;
  readonly rubric?: string | null;
  readonly judgeModel?: string | null;
}

export interface ReviseMetricInput {
  readonly metricId: string;
  readonly expectedVersion?: number | null;
  readonly name?: string | null;
  readonly question?: string | null;
  readonly rubric?: string | null;
  readonly judgeModel?: string | null;
}

/** What a metric command answers: the metric as it now stands, and where its event is. */
export interface MetricChanged {
  readonly metricId: string;
  readonly version: number;
  readonly status: 'active' | 'retired';
  readonly position: number;
}

export interface MetricServiceDeps {
  readonly store: DomainEventStore;
  readonly readStore: ReadStore;
  readonly now: () => Date;
}

/** Which interactions the judge evaluates is a workload's setting: the latest replaces the previous one. */
export const judgeSamplingDecider = settingsDecider({
  event: JudgeSamplingSet,
  read: (event) => (event.type === 'JudgeSamplingSet' ? event.data : null),
});

const samplingInput = z.object({
  workloadId: workloadIdSchema,
  rate: z.number().min(0).max(1),
  nodeTypes: z.array(nodeTypeSchema).max(5).default([]),
  models: z.array(z.string().trim().min(1).max(256)).max(50).default([]),
});

export class MetricService {
  constructor(private readonly deps: MetricServiceDeps) {}

  async define(input: DefineMetricInput, context: CommandContext): Promise<MetricChanged> {
    const nodeType = input.nodeType ?? null;
    const workload = workloadIdSchema.safeParse(input.workloadId);
    if (!workload.success) throw new InputInvalid(issuesFromZod(workload.error, 'workloadId'));
    const metricId = metric.metricIdOf(input.workloadId, input.name, nodeType);
    return this.run(metricId, {
      type: 'DefineMetric',
      workloadId: input.workloadId,
      nodeType,
      name: input.name,
      question: input.question,
      rubric: input.rubric ?? '',
      judgeModel: input.judgeModel ?? null,
      metadata: this.metadata(context),
    });
  }

  async revise(input: ReviseMetricInput, context: CommandContext): Promise<MetricChanged> {
    const changes: Partial<metric.MetricFields> = {
      ...(input.name != null ? { name: input.name } : {}),
      ...(input.question != null ? { question: input.question } : {}),
      ...(input.rubric != null ? { rubric: input.rubric } : {}),
      // An empty judgeModel goes back to the default judge.
      ...(input.judgeModel !== undefined ? { judgeModel: input.judgeModel === '' ? null : input.judgeModel } : {}),
    };
    return this.run(input.metricId, {
      type: 'ReviseMetric',
      metricId: input.metricId,
      expectedVersion: input.expectedVersion ?? null,
      changes,
      metadata: this.metadata(context),
    });
  }

  async retire(metricId: string, reason: string | null, context: CommandContext): Promise<MetricChanged> {
    return this.run(metricId, { type: 'RetireMetric', metricId, reason, metadata: this.metadata(context) });
  }

  /** Sets the judge's sampling of a workload; the latest setting replaces the previous one. */
  async setJudgeSampling(input: z.input<typeof samplingInput>, context: CommandContext): Promise<{ position: number }> {
    const parsed = samplingInput.safeParse(input);
    if (!parsed.success) throw new InputInvalid(issuesFromZod(parsed.error));
    const { workloadId } = parsed.data;
    const handled = await handleCommand(this.deps.store, streamName(JUDGE_SAMPLING_CATEGORY, workloadId), judgeSamplingDecider, {
      type: 'ReplaceSettings',
      key: workloadId,
      data: parsed.data,
      metadata: this.metadata(context),
    });
    return { position: handled.position };
  }

  async get(metricId: string): Promise<MetricDoc | null> {
    return this.deps.readStore.findById<MetricDoc>(METRICS, metricId);
  }

  async list(workloadId: string, includeRetired: boolean): Promise<readonly MetricDoc[]> {
    const filter = includeRetired ? { workloadId } : { workloadId, status: 'active' };
    return (await this.deps.readStore.find<MetricDoc>(METRICS, filter, { sort: { _id: 1 }, limit: 1_000 })).docs;
  }

  private async run(metricId: string, command: metric.MetricCommand): Promise<MetricChanged> {
    // An id that cannot name a metric names none (and would not make a valid stream).
    if (command.type !== 'DefineMetric' && !metricIdSchema.safeParse(metricId).success) throw new MetricNotFound(metricId);
    const handled = await handleCommand(this.deps.store, streamName(METRIC_CATEGORY, metricId), metric, command);
    if (handled.state.status === 'absent') throw new MetricNotFound(metricId);
    return { metricId, version: handled.state.definition.version, status: handled.state.status, position: handled.position };
  }

  private metadata(context: CommandContext) {
    return commandMetadata({ actor: context.actor, correlationId: context.correlationId, now: this.deps.now() });
  }
}
