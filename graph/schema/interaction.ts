import { NODE_TYPES, type NodeType } from '../../events/catalogue/ingest';
import type { InteractionDoc, WorkloadDoc } from '../../projections/interactions';
import { builder } from '../builder';

export const NodeTypeEnum = builder.enumType('NodeType', { values: NODE_TYPES });

/** A stored node type as the enum knows it (null for none, or one this schema does not list). */
export function asNodeType(value: string | null): NodeType | null {
  return NODE_TYPES.find((n) => n === value) ?? null;
}

interface Usage {
  readonly promptTokens: number;
  readonly completionTokens: number;
  readonly totalTokens: number;
}

const UsageRef = builder.objectRef<Usage>('TokenUsage').implement({
  fields: (t) => ({
    promptTokens: t.int({ resolve: (x) => x.promptTokens }),
    completionTokens: t.int({ resolve: (x) => x.completionTokens }),
    totalTokens: t.int({ resolve: (x) => x.totalTokens }),
  }),
});

interface PipelineNode {
  readonly runId: string;
  readonly nodeId: string;
  readonly nodeType: (typeof NODE_TYPES)[number];
}

const PipelineNodeRef = builder.objectRef<PipelineNode>('PipelineNode').implement({
  fields: (t) => ({
    runId: t.string({ resolve: (x) => x.runId }),
    nodeId: t.string({ resolve: (x) => x.nodeId }),
    nodeType: t.field({ type: NodeTypeEnum, resolve: (p) => p.nodeType }),
  }),
});

function isNodeType(value: string | null): value is (typeof NODE_TYPES)[number] {
  return value !== null && (NODE_TYPES as readonly string[]).includes(value);
}

function textOf(message: unknown): string | null {
  if (!message || typeof message !== 'object' || !('content' in message)) return null;
  const content = message.content;
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    const texts = content.flatMap((part: unknown) =>
      part && typeof part === 'object' && 'text' in part && typeof part.text === 'string' ? [part.text] : [],
    );
    return texts.length > 0 ? texts.join('') : null;
  }
  return null;
}

export const WorkloadRef = builder.objectRef<WorkloadDoc>('Workload').implement({
  description: 'A stable task type (workloadId) with its traffic totals.',
  fields: (t) => ({
    id: t.string({ resolve: (x) => x._id }),
    interactionCount: t.int({ resolve: (x) => x.interactions }),
    firstSeenAt: t.field({ type: 'DateTime', resolve: (w) => w.firstSeenAt }),
    lastSeenAt: t.field({ type: 'DateTime', resolve: (w) => w.lastSeenAt }),
    models: t.field({ type: ['String'], resolve: (x) => x.models }),
  }),
});

export const InteractionRef = builder.objectRef<InteractionDoc>('Interaction');

InteractionRef.implement({
  description: 'One logged prompt/completion, as the interactions read model holds it.',
  fields: (t) => ({
    id: t.string({ resolve: (x) => x._id }),
    workloadId: t.string({ resolve: (x) => x.workloadId }),
    workload: t.loadable({
      type: WorkloadRef,
      nullable: true,
      load: (ids: string[], context) => context.loaders.workload.loadMany(ids),
      resolve: (i) => i.workloadId,
    }),
    clientId: t.string({ nullable: true, resolve: (x) => x.clientId }),
    conversationId: t.string({ nullable: true, resolve: (x) => x.conversationId }),
    sessionId: t.string({ nullable: true, resolve: (x) => x.sessionId }),
    subjectId: t.string({ nullable: true, resolve: (x) => x.subjectId }),
    model: t.string({ resolve: (x) => x.model }),
    promptVersionId: t.string({ nullable: true, resolve: (x) => x.promptVersionId }),
    latencyMs: t.float({ nullable: true, resolve: (x) => x.latencyMs }),
    costUsd: t.float({ nullable: true, resolve: (x) => x.costUsd }),
    usage: t.field({
      type: UsageRef,
      nullable: true,
      resolve: (i) =>
        i.promptTokens === null || i.completionTokens === null
          ? null
          : { promptTokens: i.promptTokens, completionTokens: i.completionTokens, totalTokens: i.totalTokens ?? 0 },
    }),
    pipeline: t.field({
      type: PipelineNodeRef,
      nullable: true,
      resolve: (i) =>
        i.pipelineRunId && i.nodeId && isNodeType(i.nodeType) ? { runId: i.pipelineRunId, nodeId: i.nodeId, nodeType: i.nodeType } : null,
    }),
    tags: t.field({ type: ['String'], resolve: (x) => x.tags }),
    messages: t.field({ type: 'JSON', description: 'The request messages, as logged.', resolve: (i) => i.messages }),
    response: t.field({ type: 'JSON', nullable: true, description: "The answer's message, as logged.", resolve: (i) => i.responseMessage }),
    prompt: t.string({
      nullable: true,
      description: 'Text of the last user message.',
      resolve: (i) => {
        const messages = Array.isArray(i.messages) ? i.messages : [];
        const lastUser = [...messages].reverse().find((m) => m && typeof m === 'object' && !Array.isArray(m) && m.role === 'user');
        return textOf(lastUser);
      },
    }),
    responseText: t.string({ nullable: true, resolve: (i) => textOf(i.responseMessage) }),
    finishReason: t.string({ nullable: true, resolve: (x) => x.finishReason }),
    occurredAt: t.field({ type: 'DateTime', resolve: (i) => i.occurredAt }),
    recordedAt: t.field({ type: 'DateTime', resolve: (i) => i.recordedAt }),
    position: t.int({ description: 'Global position of the InteractionLogged event.', resolve: (x) => x.position }),
    conversation: t.loadableList({
      type: InteractionRef,
      description: 'Every interaction of the same conversation, oldest first (this one included).',
      load: (ids: string[], context) => context.loaders.conversation.loadMany(ids),
      resolve: (i) => i.conversationId ?? '',
    }),
  }),
});
