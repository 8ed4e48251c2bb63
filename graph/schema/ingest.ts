import { workloadIdSchema } from '../../events/catalogue/ingest';
import { encodeCursor, normalizeSort } from '../../projections/cursor';
import { InvalidCursor } from '../../projections/errors';
import { INTERACTIONS, interactionTopic, WORKLOADS, type InteractionDoc, type WorkloadDoc } from '../../projections/interactions';
import { Forbidden } from '../../services/auth/errors';
import { BatchTooLarge } from '../../services/commands';
import { InputInvalid } from '../../services/errors';
import { MAX_BATCH } from '../../services/ingest/commands';
import { InteractionIdConflict } from '../../services/ingest/decider';
import type { IngestContext, LoggedInteraction } from '../../services/ingest/ingest-service';
import { builder } from '../builder';
import type { GraphContext } from '../context';
import { allowedWorkloads, badUserInput, commandContext, mayUseWorkload, requireWorkload } from '../guards';
import { liveStream } from '../subscriptions';
import { ErrorInterface } from './errors';
import { OutcomeEnum, SignalTypeEnum } from './feedback-types';
import { InteractionRef, NodeTypeEnum, WorkloadRef } from './interaction';

builder.objectType(InteractionIdConflict, {
  name: 'InteractionIdConflict',
  interfaces: [ErrorInterface],
  fields: (t) => ({ interactionId: t.exposeString('interactionId') }),
});

// ---- inputs -------------------------------------------------------------------------------

const PipelineInput = builder.inputType('PipelineInput', {
  fields: (t) => ({
    runId: t.string({ required: true }),
    nodeId: t.string({ required: true }),
    nodeType: t.field({ type: NodeTypeEnum, required: true }),
  }),
});

const LogInteractionInput = builder.inputType('LogInteractionInput', {
  description: 'One LLM call as the app made it: the OpenAI chat-completions request and response bodies plus context.',
  fields: (t) => ({
    id: t.string({ description: 'Client-chosen id; a retry with the same id and content is the same interaction.' }),
    workloadId: t.string({ required: true, description: 'Stable id of the task type (letters, digits, _ and -).' }),
    clientId: t.string(),
    conversationId: t.string(),
    sessionId: t.string(),
    subjectId: t.string({ description: 'The end user the interaction is about (privacy keys are per subject).' }),
    request: t.field({ type: 'JSONObject', required: true, description: 'The chat-completions request body.' }),
    response: t.field({ type: 'JSONObject', description: 'The chat-completions response body.' }),
    promptVersionId: t.string(),
    latencyMs: t.float(),
    costUsd: t.float(),
    pipeline: t.field({ type: PipelineInput }),
    tags: t.stringList(),
    occurredAt: t.field({ type: 'DateTime', description: 'When the app made the call; default now.' }),
  }),
});

type LogInput = typeof LogInteractionInput.$inferInput;

function toCommandInput(input: LogInput): Record<string, unknown> {
  return { ...input, occurredAt: input.occurredAt ? input.occurredAt.toISOString() : input.occurredAt };
}

// ---- results ------------------------------------------------------------------------------

interface Accepted extends LoggedInteraction {
  readonly feedbackToken: string;
  readonly feedbackTokenExpiresAt: string;
}

const InteractionAcceptedRef = builder.objectRef<Accepted>('InteractionAccepted').implement({
  description: 'The interaction is durable in the event log.',
  fields: (t) => ({
    interactionId: t.exposeString('interactionId'),
    workloadId: t.exposeString('workloadId'),
    position: t.exposeInt('position', { description: 'Global position of its event; read models catch up to it shortly.' }),
    feedbackToken: t.exposeString('feedbackToken', {
      description: 'Signed, expiring token a browser may use instead of an API key to send feedback on this interaction only.',
    }),
    feedbackTokenExpiresAt: t.field({ type: 'DateTime', resolve: (a) => a.feedbackTokenExpiresAt }),
  }),
});

const itemErrors = [InputInvalid, InteractionIdConflict, Forbidden] as const;
type ItemError = InstanceType<(typeof itemErrors)[number]>;

interface Batch {
  readonly items: readonly (Accepted | ItemError)[];
}

const LoggedInteractionsRef = builder.objectRef<Batch>('LoggedInteractions').implement({
  fields: (t) => ({
    items: t.field({
      type: [InteractionAcceptedRef],
      description: 'One result per input, in input order.',
      itemErrors: { types: [...itemErrors], directResult: true, union: { name: 'LogInteractionItemResult' } },
      // The errors plugin turns each rejected item into its error type in the item union.
      resolve: (b) => b.items.map((item) => (item instanceof Error ? Promise.reject(item) : item)),
    }),
    accepted: t.int({ resolve: (b) => b.items.filter((i) => !(i instanceof Error)).length }),
    rejected: t.int({ resolve: (b) => b.items.filter((i) => i instanceof Error).length }),
  }),
});

function isItemError(error: unknown): error is ItemError {
  return itemErrors.some((cls) => error instanceof cls);
}

/** The caller, for the ingest service: its actor, and the workload guard it checks each interaction against. */
function ingestContext(context: GraphContext): IngestContext {
  return { ...commandContext(context), authorize: (workloadId) => requireWorkload(context, workloadId) };
}

function accepted(logged: LoggedInteraction, context: GraphContext): Accepted {
  const token = context.services.issueFeedbackToken(logged);
  return { ...logged, feedbackToken: token.token, feedbackTokenExpiresAt: token.expiresAt };
}

// ---- mutations ----------------------------------------------------------------------------

builder.mutationFields((t) => ({
  logInteraction: t.field({
    type: InteractionAcceptedRef,
    description: 'Log one interaction. Answers once the event is durable.',
    authScopes: { ingest: true },
    args: { input: t.arg({ type: LogInteractionInput, required: true }) },
    errors: { types: [...itemErrors], directResult: true, union: { name: 'LogInteractionResult' } },
    resolve: async (_root, { input }, context) => accepted(await context.services.ingest.log(toCommandInput(input), ingestContext(context)), context),
  }),
  logInteractions: t.field({
    type: LoggedInteractionsRef,
    description: `Log up to ${MAX_BATCH.toLocaleString('en-US')} interactions; each is accepted or refused on its own.`,
    authScopes: { ingest: true },
    args: { inputs: t.arg({ type: [LogInteractionInput], required: true }) },
    errors: { types: [BatchTooLarge], directResult: true, union: { name: 'LogInteractionsResult' } },
    resolve: async (_root, { inputs }, context) => {
      const results = await context.services.ingest.logMany(inputs.map(toCommandInput), ingestContext(context));
      const items = results.map((result) => {
        if (result.ok) return accepted(result.value, context);
        if (isItemError(result.error)) return result.error;
        throw result.error;
      });
      return { items };
    },
  }),
}));

// ---- queries ------------------------------------------------------------------------------

const InteractionFilter = builder.inputType('InteractionFilter', {
  fields: (t) => ({
    workloadId: t.string(),
    clientId: t.string(),
    model: t.string(),
    nodeType: t.field({ type: NodeTypeEnum }),
    conversationId: t.string(),
    pipelineRunId: t.string(),
    from: t.field({ type: 'DateTime', description: 'Inclusive lower bound on occurredAt.' }),
    to: t.field({ type: 'DateTime', description: 'Exclusive upper bound on occurredAt.' }),
    outcome: t.field({ type: OutcomeEnum, description: 'Only interactions whose inferred outcome is this.' }),
    signalType: t.field({ type: SignalTypeEnum, description: 'Only interactions with at least one signal of this type.' }),
  }),
});

type FilterInput = typeof InteractionFilter.$inferInput;

function buildFilter(filter: FilterInput | null | undefined, context: GraphContext): Record<string, unknown> {
  const query: Record<string, unknown> = {};
  const allowed = allowedWorkloads(context.principal);
  if (filter?.workloadId) {
    requireWorkload(context, filter.workloadId);
    query.workloadId = filter.workloadId;
  } else if (allowed !== null) {
    query.workloadId = { $in: [...allowed] };
  }
  if (filter?.clientId) query.clientId = filter.clientId;
  if (filter?.model) query.model = filter.model;
  if (filter?.nodeType) query.nodeType = filter.nodeType;
  if (filter?.conversationId) query.conversationId = filter.conversationId;
  if (filter?.pipelineRunId) query.pipelineRunId = filter.pipelineRunId;
  if (filter?.outcome) query.outcome = filter.outcome;
  if (filter?.signalType) query.signalTypes = filter.signalType;
  if (filter?.from || filter?.to) {
    query.occurredAt = {
      ...(filter.from ? { $gte: filter.from.toISOString() } : {}),
      ...(filter.to ? { $lt: filter.to.toISOString() } : {}),
    };
  }
  return query;
}

builder.queryFields((t) => ({
  interaction: t.field({
    type: InteractionRef,
    nullable: true,
    authScopes: { read: true },
    args: { id: t.arg.string({ required: true }) },
    resolve: async (_root, { id }, context) => {
      const doc = await context.loaders.interaction.load(id);
      return doc && mayUseWorkload(context.principal, doc.workloadId) ? doc : null;
    },
  }),
  interactions: t.connection({
    type: InteractionRef,
    description: 'Interactions, newest first.',
    authScopes: { read: true },
    args: { filter: t.arg({ type: InteractionFilter }) },
    resolve: async (_root, args, context) => {
      if (args.last != null || args.before != null) {
        throw badUserInput('only forward paging is supported: use first and after');
      }
      const first = args.first ?? 50;
      if (first < 0 || first > 500) throw badUserInput('first must be between 0 and 500');
      const sort = { occurredAt: -1, _id: -1 } as const;
      const after = args.after ?? undefined;
      const page = await context.readStore
        .find<InteractionDoc>(INTERACTIONS, buildFilter(args.filter, context), { sort, limit: first, ...(after ? { after } : {}) })
        .catch((error: unknown) => {
          if (error instanceof InvalidCursor) throw badUserInput('invalid cursor in after');
          throw error;
        });
      const keys = normalizeSort(sort);
      for (const doc of page.docs) context.loaders.interaction.prime(doc._id, doc);
      const edges = page.docs.map((node) => ({ node, cursor: encodeCursor(keys, node) }));
      return {
        edges,
        pageInfo: {
          hasNextPage: page.next !== null,
          hasPreviousPage: after !== undefined,
          startCursor: edges[0]?.cursor ?? null,
          endCursor: edges[edges.length - 1]?.cursor ?? null,
        },
      };
    },
  }),
  workloads: t.field({
    type: [WorkloadRef],
    description: 'Every workload that has logged traffic, with its counts.',
    authScopes: { read: true },
    resolve: async (_root, _args, context) => {
      const allowed = allowedWorkloads(context.principal);
      const page = await context.readStore.find<WorkloadDoc>(WORKLOADS, allowed === null ? {} : { _id: { $in: [...allowed] } }, {
        sort: { _id: 1 },
        limit: 10_000,
      });
      return [...page.docs];
    },
  }),
}));

// ---- subscriptions ------------------------------------------------------------------------

builder.subscriptionFields((t) => ({
  interactionLogged: t.field({
    type: InteractionRef,
    description: 'Each interaction of a workload as soon as the read model has it.',
    authScopes: { read: true },
    args: { workloadId: t.arg.string({ required: true }) },
    subscribe: (_root, { workloadId }, context) => {
      // Checked here: an id that can never name a workload is not a valid bus topic either.
      const parsed = workloadIdSchema.safeParse(workloadId);
      if (!parsed.success) throw badUserInput(`invalid workloadId: ${parsed.error.issues[0]?.message ?? 'malformed'}`, 400);
      requireWorkload(context, workloadId);
      return liveStream<{ interactionId: string }, InteractionDoc>(context, interactionTopic(workloadId), (m) =>
        context.readStore.findById<InteractionDoc>(INTERACTIONS, m.interactionId),
      );
    },
    resolve: (doc) => doc,
  }),
}));
