import { FEEDBACK_SIGNALS, signalTopic, type SignalDoc } from '../../projections/feedback-signals';
import { outcomeTopic } from '../../projections/feedback-interactions';
import { Forbidden } from '../../services/auth/errors';
import { actorOf, feedbackAccess } from '../../services/auth/principal';
import { BatchTooLarge } from '../../services/commands';
import { InputInvalid, NotFound } from '../../services/errors';
import { MAX_SIGNAL_BATCH } from '../../services/feedback/commands';
import { SignalIdConflict } from '../../services/feedback/decider';
import type { FeedbackContext, RecordedSignal } from '../../services/feedback/feedback-service';
import { builder } from '../builder';
import type { GraphContext } from '../context';
import { requireWorkload } from '../guards';
import { liveStream } from '../subscriptions';
import { ErrorInterface } from './errors';
import { AdoptionEnum, DimensionEnum, OutcomeEnum, SignalRef, SignalTypeEnum } from './feedback-types';
import { InteractionRef } from './interaction';

builder.objectType(SignalIdConflict, {
  name: 'SignalIdConflict',
  interfaces: [ErrorInterface],
  fields: (t) => ({ interactionId: t.exposeString('interactionId'), signalId: t.exposeString('signalId') }),
});

// ---- inputs -------------------------------------------------------------------------------

const RecordSignalInput = builder.inputType('RecordSignalInput', {
  description:
    'One signal. One flat shape for every type (GraphQL has no input unions); a field that does not belong to the type is refused with InputInvalid.',
  fields: (t) => ({
    interactionId: t.string({ required: true }),
    signalId: t.string({ description: 'Client-chosen id, unique per interaction: a retry with the same id is the same signal.' }),
    type: t.field({ type: SignalTypeEnum, required: true }),
    dimension: t.field({ type: DimensionEnum, description: 'thumbsUp/thumbsDown: what the thumb is about (default: overall).' }),
    comment: t.string({ description: 'thumbsUp/thumbsDown: free text (redacted before it is recorded).' }),
    tokensReceived: t.int({ description: 'stopped: tokens the user had received when they stopped the generation.' }),
    replacementInteractionId: t.string({ description: 'regenerated: the interaction that replaced this one.' }),
    fraction: t.float({ description: 'copied: share of the response copied (0–1).' }),
    editedText: t.string({ description: 'edited: the text as the user left it (redacted before it is recorded).' }),
    editDistance: t.float({ description: 'edited: normalised edit distance, when the server cannot measure it itself.' }),
    adoption: t.field({ type: AdoptionEnum, description: 'adopted: required.' }),
    reask: t.boolean({ description: 'followUp: the follow-up asks the same thing again.' }),
    occurredAt: t.field({ type: 'DateTime', description: 'When the user did it; default now.' }),
  }),
});
type SignalInput = typeof RecordSignalInput.$inferInput;

// ---- results ------------------------------------------------------------------------------

const SignalAcceptedRef = builder.objectRef<RecordedSignal>('SignalAccepted').implement({
  description: 'The signal is durable in the event log (or was already: duplicate).',
  fields: (t) => ({
    signalId: t.exposeString('signalId'),
    interactionId: t.exposeString('interactionId'),
    workloadId: t.exposeString('workloadId'),
    type: t.field({ type: SignalTypeEnum, resolve: (s) => s.type }),
    position: t.exposeInt('position', { description: 'Global position of its SignalRecorded event.' }),
    duplicate: t.exposeBoolean('duplicate', { description: 'A retry of a signal already recorded: nothing new was appended.' }),
  }),
});

const itemErrors = [InputInvalid, NotFound, Forbidden, SignalIdConflict] as const;
type ItemError = InstanceType<(typeof itemErrors)[number]>;

function isItemError(error: unknown): error is ItemError {
  return itemErrors.some((cls) => error instanceof cls);
}

interface Batch {
  readonly items: readonly (RecordedSignal | ItemError)[];
}

const RecordedSignalsRef = builder.objectRef<Batch>('RecordedSignals').implement({
  fields: (t) => ({
    items: t.field({
      type: [SignalAcceptedRef],
      description: 'One result per input, in input order.',
      itemErrors: { types: [...itemErrors], directResult: true, union: { name: 'RecordSignalItemResult' } },
      resolve: (b) => b.items.map((item) => (item instanceof Error ? Promise.reject(item) : item)),
    }),
    accepted: t.int({ resolve: (b) => b.items.filter((i) => !(i instanceof Error)).length }),
    rejected: t.int({ resolve: (b) => b.items.filter((i) => i instanceof Error).length }),
  }),
});

function toCommandInput(input: SignalInput): Record<string, unknown> {
  return { ...input, occurredAt: input.occurredAt ? input.occurredAt.toISOString() : input.occurredAt };
}

/**
 * A feedback token passes the `feedback` scope check but only for its own interaction: that is
 * checked before the stream is read (so a token learns nothing about other interactions), the
 * workload restriction of a key once the interaction is loaded.
 */
function feedbackContext(context: GraphContext): FeedbackContext {
  const principal = context.principal;
  if (!principal) throw new Forbidden('MISSING_SCOPE', { scope: 'feedback' });
  return { actor: actorOf(principal), correlationId: context.requestId, access: feedbackAccess(principal) };
}

builder.mutationFields((t) => ({
  recordSignal: t.field({
    type: SignalAcceptedRef,
    description: 'Record one feedback signal on an interaction. Answers once the event is durable. API key with feedback scope, or the interaction’s feedback token.',
    authScopes: { feedback: true },
    args: { input: t.arg({ type: RecordSignalInput, required: true }) },
    errors: { types: [...itemErrors], directResult: true, union: { name: 'RecordSignalResult' } },
    resolve: (_root, { input }, context) => context.services.feedback.record(toCommandInput(input), feedbackContext(context)),
  }),
  recordSignals: t.field({
    type: RecordedSignalsRef,
    description: `Record up to ${MAX_SIGNAL_BATCH} signals; each is accepted or refused on its own.`,
    authScopes: { feedback: true },
    args: { inputs: t.arg({ type: [RecordSignalInput], required: true }) },
    errors: { types: [BatchTooLarge], directResult: true, union: { name: 'RecordSignalsResult' } },
    resolve: async (_root, { inputs }, context) => {
      const results = await context.services.feedback.recordMany(inputs.map(toCommandInput), feedbackContext(context));
      const items = results.map((result) => {
        if (result.ok) return result.value;
        if (isItemError(result.error)) return result.error;
        throw result.error;
      });
      return { items };
    },
  }),
}));

// ---- subscriptions ------------------------------------------------------------------------

interface OutcomeChange {
  readonly interactionId: string;
  readonly outcome: 'good' | 'bad' | 'unknown';
  readonly previousOutcome: 'good' | 'bad' | 'unknown' | null;
  readonly confidence: number;
  readonly position: number;
}

const OutcomeChangeRef = builder.objectRef<OutcomeChange>('OutcomeChange').implement({
  fields: (t) => ({
    interactionId: t.exposeString('interactionId'),
    outcome: t.field({ type: OutcomeEnum, resolve: (c) => c.outcome }),
    previousOutcome: t.field({ type: OutcomeEnum, nullable: true, resolve: (c) => c.previousOutcome }),
    confidence: t.exposeFloat('confidence'),
    position: t.exposeInt('position', { description: 'Global position of the OutcomeInferred event.' }),
    interaction: t.field({ type: InteractionRef, nullable: true, resolve: (c, _args, context) => context.loaders.interaction.load(c.interactionId) }),
  }),
});

const OUTCOMES = ['good', 'bad', 'unknown'] as const;
function outcomeOf(value: unknown): OutcomeChange['outcome'] | null {
  return OUTCOMES.find((o) => o === value) ?? null;
}

builder.subscriptionFields((t) => ({
  signalRecorded: t.field({
    type: SignalRef,
    description: 'Each signal of a workload (sent or detected) as soon as the feedback read model has it.',
    authScopes: { read: true },
    args: { workloadId: t.arg.string({ required: true }) },
    subscribe: (_root, { workloadId }, context) => {
      requireWorkload(context, workloadId);
      return liveStream<{ id: string }, SignalDoc>(context, signalTopic(workloadId), (m) => context.readStore.findById<SignalDoc>(FEEDBACK_SIGNALS, m.id));
    },
    resolve: (doc) => doc,
  }),
  outcomeChanged: t.field({
    type: OutcomeChangeRef,
    description: 'Each change of an inferred outcome in a workload, once the interactions read model has it.',
    authScopes: { read: true },
    args: { workloadId: t.arg.string({ required: true }) },
    subscribe: (_root, { workloadId }, context) => {
      requireWorkload(context, workloadId);
      return liveStream(context, outcomeTopic(workloadId), (m): OutcomeChange | null => {
        const outcome = outcomeOf(m['outcome']);
        const { interactionId, confidence, position } = m;
        if (!outcome || typeof interactionId !== 'string' || typeof confidence !== 'number' || typeof position !== 'number') return null;
        return { interactionId, outcome, previousOutcome: outcomeOf(m['previousOutcome']), confidence, position };
      });
    },
    resolve: (change) => change,
  }),
}));
