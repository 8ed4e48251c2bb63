import { STRATIFY_KEYS } from '../../events/catalogue/evaluation';
import { annotationQueueTopic, type AnnotationItemDoc, type AnnotationQueueDoc } from '../../projections/evaluation-annotation';
import { Forbidden } from '../../services/auth/errors';
import { InputInvalid } from '../../services/errors';
import type { Claim } from '../../services/evaluation/annotation/annotation-service';
import { AnnotationQueueNotFound, ClaimNotHeld, NothingToClaim } from '../../services/evaluation/annotation/errors';
import { builder } from '../builder';
import type { GraphContext } from '../context';
import { commandContext, requireWorkload } from '../guards';
import { emptyStream, liveStream } from '../subscriptions';
import { MetricRef } from './evaluation';
import { ErrorInterface } from './errors';
import { InteractionRef, NodeTypeEnum } from './interaction';

builder.objectType(AnnotationQueueNotFound, { name: 'AnnotationQueueNotFound', interfaces: [ErrorInterface], fields: (t) => ({ queueId: t.exposeString('queueId') }) });
builder.objectType(NothingToClaim, { name: 'NothingToClaim', interfaces: [ErrorInterface], fields: (t) => ({ queueId: t.exposeString('queueId') }) });
builder.objectType(ClaimNotHeld, {
  name: 'ClaimNotHeld',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    queueId: t.exposeString('queueId'),
    interactionId: t.exposeString('interactionId'),
    expiredAt: t.field({ type: 'DateTime', nullable: true, resolve: (e) => e.expiredAt }),
  }),
});

const StratifyKeyEnum = builder.enumType('StratifyKey', { values: STRATIFY_KEYS });

const AnnotationItemRef = builder.objectRef<AnnotationItemDoc>('AnnotationItem').implement({
  fields: (t) => ({
    interactionId: t.string({ resolve: (i) => i.interactionId }),
    stratum: t.string({ resolve: (i) => i.stratum }),
    labels: t.int({ resolve: (i) => i.labels }),
    skips: t.int({ resolve: (i) => i.skips }),
    annotators: t.stringList({ resolve: (i) => i.annotators }),
    leaseExpiresAt: t.field({ type: 'DateTime', nullable: true, resolve: (i) => i.leaseExpiresAt }),
  }),
});

const AnnotationQueueRef = builder.objectRef<AnnotationQueueDoc>('AnnotationQueue').implement({
  fields: (t) => ({
    id: t.string({ resolve: (q) => q._id }),
    workloadId: t.string({ resolve: (q) => q.workloadId }),
    name: t.string({ resolve: (q) => q.name }),
    metricIds: t.stringList({ resolve: (q) => q.metricIds }),
    stratifyBy: t.string({ resolve: (q) => q.stratifyBy }),
    sampleSize: t.int({ resolve: (q) => q.sampleSize }),
    labelsPerItem: t.int({ resolve: (q) => q.labelsPerItem }),
    itemCount: t.int({ description: 'Items drawn (fewer than sampleSize when fewer interactions matched).', resolve: (q) => q.items }),
    labels: t.int({ resolve: (q) => q.labels }),
    skips: t.int({ resolve: (q) => q.skips }),
    claims: t.int({ resolve: (q) => q.claims }),
    createdAt: t.field({ type: 'DateTime', resolve: (q) => q.createdAt }),
    createdBy: t.string({ resolve: (q) => q.createdBy }),
    items: t.field({ type: [AnnotationItemRef], resolve: async (q, _args, context) => [...(await context.services.evaluation.annotation.items(q._id))] }),
  }),
});

const AnnotationClaimRef = builder.objectRef<Claim>('AnnotationClaim').implement({
  description: 'An item held by the caller until the lease expires: label it or skip it before then.',
  fields: (t) => ({
    queueId: t.string({ resolve: (c) => c.queueId }),
    interactionId: t.string({ resolve: (c) => c.interactionId }),
    leaseExpiresAt: t.field({ type: 'DateTime', resolve: (c) => c.leaseExpiresAt }),
    interaction: t.field({ type: InteractionRef, nullable: true, resolve: (c, _args, context) => context.loaders.interaction.load(c.interactionId) }),
    metrics: t.field({
      type: [MetricRef],
      resolve: async (c, _args, context) => {
        const all = await Promise.all(c.metricIds.map((id) => context.services.evaluation.metrics.get(id)));
        return all.flatMap((m) => (m ? [m] : []));
      },
    }),
  }),
});

const LabelsSubmittedRef = builder.objectRef<{ queueId: string; interactionId: string; labels: number }>('LabelsSubmitted').implement({
  fields: (t) => ({
    queueId: t.string({ resolve: (r) => r.queueId }),
    interactionId: t.string({ resolve: (r) => r.interactionId }),
    labels: t.int({ resolve: (r) => r.labels }),
  }),
});

const ItemSkippedRef = builder.objectRef<{ queueId: string; interactionId: string }>('AnnotationItemSkipped').implement({
  fields: (t) => ({ queueId: t.string({ resolve: (r) => r.queueId }), interactionId: t.string({ resolve: (r) => r.interactionId }) }),
});

const CreateQueueInput = builder.inputType('CreateAnnotationQueueInput', {
  fields: (t) => ({
    workloadId: t.string({ required: true }),
    name: t.string({ required: true }),
    metricIds: t.stringList({ required: true, description: 'Active metrics of the workload to label.' }),
    nodeType: t.field({ type: NodeTypeEnum }),
    model: t.string(),
    from: t.field({ type: 'DateTime' }),
    to: t.field({ type: 'DateTime' }),
    stratifyBy: t.field({ type: StratifyKeyEnum, description: 'Default none.' }),
    sampleSize: t.int({ required: true }),
    labelsPerItem: t.int({ description: 'Distinct annotators per item (1–5, default 1); 2+ gives human-vs-human agreement.' }),
  }),
});

const LabelInput = builder.inputType('LabelInput', {
  fields: (t) => ({ metricId: t.string({ required: true }), pass: t.boolean({ required: true }), note: t.string() }),
});

const SubmitLabelsInput = builder.inputType('SubmitLabelsInput', {
  fields: (t) => ({
    queueId: t.string({ required: true }),
    interactionId: t.string({ required: true }),
    labels: t.field({ type: [LabelInput], required: true }),
  }),
});

async function queueFor(context: GraphContext, queueId: string): Promise<AnnotationQueueDoc> {
  const queue = await context.services.evaluation.annotation.getQueue(queueId);
  requireWorkload(context, queue.workloadId);
  return queue;
}

builder.mutationFields((t) => ({
  createAnnotationQueue: t.field({
    type: AnnotationQueueRef,
    description: 'Draw a stratified sample of a workload’s interactions into a queue of items to label.',
    authScopes: { annotate: true },
    args: { input: t.arg({ type: CreateQueueInput, required: true }) },
    errors: { types: [InputInvalid, Forbidden], directResult: true, union: { name: 'CreateAnnotationQueueResult' } },
    resolve: async (_root, { input }, context) => {
      requireWorkload(context, input.workloadId);
      const annotation = context.services.evaluation.annotation;
      const { queueId, position } = await annotation.create(
        { ...input, from: input.from?.toISOString() ?? null, to: input.to?.toISOString() ?? null, stratifyBy: input.stratifyBy ?? 'none', labelsPerItem: input.labelsPerItem ?? 1 },
        commandContext(context),
      );
      await context.waitForProjection(position);
      return annotation.getQueue(queueId);
    },
  }),
  claimAnnotationItem: t.field({
    type: AnnotationClaimRef,
    description: 'Hold the next item that needs the caller’s label. Claiming again while holding one returns it.',
    authScopes: { annotate: true },
    args: { queueId: t.arg.string({ required: true }), leaseSeconds: t.arg.int({ description: '10 s to 24 h; default 600.' }) },
    errors: { types: [AnnotationQueueNotFound, NothingToClaim, Forbidden], directResult: true, union: { name: 'ClaimAnnotationItemResult' } },
    resolve: async (_root, { queueId, leaseSeconds }, context) => {
      await queueFor(context, queueId);
      const leaseMs = leaseSeconds != null ? leaseSeconds * 1_000 : null;
      return context.services.evaluation.annotation.claim(queueId, commandContext(context).actor, leaseMs, { correlationId: context.requestId });
    },
  }),
  submitLabels: t.field({
    type: LabelsSubmittedRef,
    description: 'Label a claimed item, pass/fail per metric with an optional note.',
    authScopes: { annotate: true },
    args: { input: t.arg({ type: SubmitLabelsInput, required: true }) },
    errors: { types: [AnnotationQueueNotFound, ClaimNotHeld, InputInvalid, Forbidden], directResult: true, union: { name: 'SubmitLabelsResult' } },
    resolve: async (_root, { input }, context) => {
      await queueFor(context, input.queueId);
      const result = await context.services.evaluation.annotation.submit(input, commandContext(context).actor, { correlationId: context.requestId });
      await context.waitForProjection(result.position);
      return { queueId: input.queueId, interactionId: input.interactionId, labels: result.labels };
    },
  }),
  skipAnnotationItem: t.field({
    type: ItemSkippedRef,
    authScopes: { annotate: true },
    args: { queueId: t.arg.string({ required: true }), interactionId: t.arg.string({ required: true }), reason: t.arg.string() },
    errors: { types: [AnnotationQueueNotFound, ClaimNotHeld, Forbidden], directResult: true, union: { name: 'SkipAnnotationItemResult' } },
    resolve: async (_root, { queueId, interactionId, reason }, context) => {
      await queueFor(context, queueId);
      await context.services.evaluation.annotation.skip(queueId, interactionId, reason ?? null, commandContext(context).actor, { correlationId: context.requestId });
      return { queueId, interactionId };
    },
  }),
}));

builder.queryFields((t) => ({
  annotationQueue: t.field({
    type: AnnotationQueueRef,
    nullable: true,
    authScopes: { annotate: true, read: true },
    args: { id: t.arg.string({ required: true }) },
    resolve: async (_root, { id }, context) => {
      const queue = await context.services.evaluation.annotation.findQueue(id);
      if (queue) requireWorkload(context, queue.workloadId);
      return queue;
    },
  }),
  annotationQueues: t.field({
    type: [AnnotationQueueRef],
    authScopes: { annotate: true, read: true },
    args: { workloadId: t.arg.string({ required: true }) },
    resolve: async (_root, { workloadId }, context) => {
      requireWorkload(context, workloadId);
      return [...(await context.services.evaluation.annotation.queues(workloadId))];
    },
  }),
}));

builder.subscriptionFields((t) => ({
  annotationQueueChanged: t.field({
    type: AnnotationQueueRef,
    description: 'The queue each time an item is claimed, labelled or skipped.',
    authScopes: { annotate: true, read: true },
    args: { queueId: t.arg.string({ required: true }) },
    subscribe: async (_root, { queueId }, context) => {
      const annotation = context.services.evaluation.annotation;
      const queue = await annotation.findQueue(queueId);
      if (!queue) return emptyStream<AnnotationQueueDoc>();
      requireWorkload(context, queue.workloadId);
      return liveStream(context, annotationQueueTopic(queueId), () => annotation.findQueue(queueId));
    },
    resolve: (doc) => doc,
  }),
}));
