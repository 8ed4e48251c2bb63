import type { JudgeStatus } from '../../services/evaluation/judge/judge-counter';
import { Forbidden } from '../../services/auth/errors';
import { InputInvalid } from '../../services/errors';
import { builder } from '../builder';
import { commandContext, requireWorkload } from '../guards';
import { NodeTypeEnum } from './interaction';

const JudgeStatusRef = builder.objectRef<JudgeStatus>('JudgeStatus').implement({
  description: 'The LLM judge in this process: whether it runs (and if not, why), and what it has done and cost.',
  fields: (t) => ({
    configured: t.boolean({ resolve: (s) => s.configured }),
    reason: t.string({ nullable: true, resolve: (s) => s.reason }),
    endpoint: t.string({ nullable: true, resolve: (s) => s.endpoint }),
    defaultModel: t.string({ nullable: true, resolve: (s) => s.defaultModel }),
    concurrency: t.int({ nullable: true, resolve: (s) => s.concurrency }),
    calls: t.int({ resolve: (s) => s.calls }),
    retried: t.int({ resolve: (s) => s.retried }),
    failures: t.int({ resolve: (s) => s.failures }),
    skippedSameModel: t.int({ resolve: (s) => s.skippedSameModel }),
    skippedNoAnswer: t.int({ resolve: (s) => s.skippedNoAnswer }),
    promptTokens: t.int({ resolve: (s) => s.promptTokens }),
    completionTokens: t.int({ resolve: (s) => s.completionTokens }),
    costUsd: t.float({ resolve: (s) => s.costUsd }),
  }),
});

interface SamplingSet {
  readonly workloadId: string;
  readonly position: number;
}

const JudgeSamplingSetRef = builder.objectRef<SamplingSet>('JudgeSamplingSet').implement({
  fields: (t) => ({ workloadId: t.string({ resolve: (s) => s.workloadId }), position: t.int({ resolve: (s) => s.position }) }),
});

const JudgeSamplingInput = builder.inputType('JudgeSamplingInput', {
  fields: (t) => ({
    workloadId: t.string({ required: true }),
    rate: t.float({ required: true, description: 'Fraction of matching interactions judged, 0 to 1 (chosen by a hash of the id).' }),
    nodeTypes: t.field({ type: [NodeTypeEnum], description: 'Only these pipeline node types; omitted: any.' }),
    models: t.stringList({ description: 'Only interactions answered by these models; omitted: any.' }),
  }),
});

builder.mutationFields((t) => ({
  setJudgeSampling: t.field({
    type: JudgeSamplingSetRef,
    description: 'Which interactions of a workload the LLM judge evaluates. Without it the judge evaluates none of them.',
    authScopes: { admin: true },
    args: { input: t.arg({ type: JudgeSamplingInput, required: true }) },
    errors: { types: [InputInvalid, Forbidden], directResult: true, union: { name: 'SetJudgeSamplingResult' } },
    resolve: async (_root, { input }, context) => {
      requireWorkload(context, input.workloadId);
      const { position } = await context.services.evaluation.metrics.setJudgeSampling(
        { workloadId: input.workloadId, rate: input.rate, nodeTypes: input.nodeTypes ?? [], models: input.models ?? [] },
        commandContext(context),
      );
      await context.waitForProjection(position);
      return { workloadId: input.workloadId, position };
    },
  }),
}));

builder.queryFields((t) => ({
  judgeStatus: t.field({
    type: JudgeStatusRef,
    authScopes: { read: true },
    resolve: (_root, _args, context) => context.services.evaluation.judge.status(),
  }),
}));
