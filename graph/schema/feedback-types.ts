import { ADOPTIONS, DIMENSIONS, OUTCOMES, SIGNAL_TYPES, type SignalType } from '../../events/catalogue/feedback';
import { FEEDBACK_SIGNALS, type SignalDoc } from '../../projections/feedback-signals';
import type { InteractionDoc } from '../../projections/interactions';
import { builder } from '../builder';
import { InteractionRef } from './interaction';

// ---- enums: the catalogue's names as they are, so the API, the SDK and the events spell them alike

export const SignalTypeEnum = builder.enumType('SignalType', {
  description: 'Explicit: thumbsUp, thumbsDown. Implicit: the rest; corrected and re-asks (followUp) are also detected by the server.',
  values: SIGNAL_TYPES,
});
export const DimensionEnum = builder.enumType('FeedbackDimension', {
  description: 'What a thumb is about. speed is reported on its own and never folded into the quality outcome.',
  values: DIMENSIONS,
});
export const AdoptionEnum = builder.enumType('Adoption', { values: ADOPTIONS });
export const OutcomeEnum = builder.enumType('Outcome', { values: OUTCOMES });
export const SignalSourceEnum = builder.enumType('SignalSource', {
  values: { client: { description: 'Sent by the app or its SDK.' }, detector: { description: 'Found by the server in the next user turn.' } },
});

function isSignalType(value: string): value is SignalType {
  return (SIGNAL_TYPES as readonly string[]).includes(value);
}

// ---- signals ------------------------------------------------------------------------------

interface Evidence {
  readonly nextInteractionId: string;
  readonly language: string | null;
  readonly rule: string;
  readonly excerpt: string;
}

function evidenceOf(value: unknown): Evidence | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const next = Reflect.get(value, 'nextInteractionId');
  const language = Reflect.get(value, 'language');
  const rule = Reflect.get(value, 'rule');
  const excerpt = Reflect.get(value, 'excerpt');
  if (typeof next !== 'string' || typeof rule !== 'string' || typeof excerpt !== 'string') return null;
  return { nextInteractionId: next, language: typeof language === 'string' ? language : null, rule, excerpt };
}

const EvidenceRef = builder.objectRef<Evidence>('SignalEvidence').implement({
  description: 'What a detected signal was found in: the next user turn and the rule that fired.',
  fields: (t) => ({
    nextInteractionId: t.exposeString('nextInteractionId'),
    language: t.exposeString('language', { nullable: true }),
    rule: t.exposeString('rule'),
    excerpt: t.exposeString('excerpt'),
  }),
});

export const SignalRef = builder.objectRef<SignalDoc>('Signal').implement({
  description: 'One feedback signal on an interaction, as the feedback read model holds it.',
  fields: (t) => ({
    id: t.string({ resolve: (s) => s._id }),
    signalId: t.string({ resolve: (s) => s.signalId }),
    interactionId: t.string({ resolve: (s) => s.interactionId }),
    workloadId: t.string({ resolve: (s) => s.workloadId }),
    type: t.field({ type: SignalTypeEnum, resolve: (s) => s.type }),
    source: t.field({ type: SignalSourceEnum, resolve: (s) => (s.source === 'detector' ? 'detector' : 'client') }),
    dimension: t.field({ type: DimensionEnum, nullable: true, resolve: (s) => DIMENSIONS.find((d) => d === s.dimension) ?? null }),
    comment: t.string({ nullable: true, resolve: (s) => s.comment }),
    tokensReceived: t.int({ nullable: true, resolve: (s) => s.tokensReceived }),
    replacementInteractionId: t.string({ nullable: true, resolve: (s) => s.replacementInteractionId }),
    fraction: t.float({ nullable: true, description: 'Share of the response copied.', resolve: (s) => s.fraction }),
    editedText: t.string({ nullable: true, resolve: (s) => s.editedText }),
    editDistance: t.float({ nullable: true, description: 'Normalised Levenshtein distance from the response (0–1).', resolve: (s) => s.editDistance }),
    adoption: t.field({ type: AdoptionEnum, nullable: true, resolve: (s) => ADOPTIONS.find((a) => a === s.adoption) ?? null }),
    reask: t.boolean({ nullable: true, resolve: (s) => s.reask }),
    evidence: t.field({ type: EvidenceRef, nullable: true, resolve: (s) => evidenceOf(s.evidence) }),
    occurredAt: t.field({ type: 'DateTime', resolve: (s) => s.occurredAt }),
    recordedAt: t.field({ type: 'DateTime', resolve: (s) => s.recordedAt }),
    position: t.int({ resolve: (s) => s.position }),
    interaction: t.field({
      type: InteractionRef,
      nullable: true,
      resolve: (s, _args, context) => context.loaders.interaction.load(s.interactionId),
    }),
  }),
});

// ---- the interaction's feedback summary ---------------------------------------------------------

interface SignalCount {
  readonly type: SignalType;
  readonly count: number;
}

export const SignalCountRef = builder.objectRef<SignalCount>('SignalCount').implement({
  fields: (t) => ({ type: t.field({ type: SignalTypeEnum, resolve: (c) => c.type }), count: t.exposeInt('count') }),
});

/** Every signal type with its count (zeros included, in the catalogue's order). */
export function signalCounts(counts: Readonly<Record<string, number>> | undefined): SignalCount[] {
  return SIGNAL_TYPES.map((type) => ({ type, count: counts?.[type] ?? 0 }));
}

interface InferredOutcome {
  readonly outcome: (typeof OUTCOMES)[number];
  readonly confidence: number;
  readonly inferredAt: string;
}

const InferredOutcomeRef = builder.objectRef<InferredOutcome>('InferredOutcome').implement({
  description: 'The outcome triangulated from all of the interaction’s signals (quality only: latency is never part of it).',
  fields: (t) => ({
    outcome: t.field({ type: OutcomeEnum, resolve: (o) => o.outcome }),
    confidence: t.exposeFloat('confidence', { description: 'max(p, 1 − p) of the probability that the answer was good.' }),
    inferredAt: t.field({ type: 'DateTime', resolve: (o) => o.inferredAt }),
  }),
});

const SignalSummaryRef = builder.objectRef<InteractionDoc>('SignalSummary').implement({
  fields: (t) => ({
    total: t.int({ resolve: (i) => i.signalCount ?? 0 }),
    types: t.field({ type: [SignalTypeEnum], description: 'The signal types present.', resolve: (i) => (i.signalTypes ?? []).filter(isSignalType) }),
    counts: t.field({ type: [SignalCountRef], resolve: (i) => signalCounts(i.signals) }),
    lastSignalAt: t.field({ type: 'DateTime', nullable: true, resolve: (i) => i.lastSignalAt ?? null }),
  }),
});

builder.objectFields(InteractionRef, (t) => ({
  signalSummary: t.field({ type: SignalSummaryRef, resolve: (i) => i }),
  outcome: t.field({
    type: InferredOutcomeRef,
    nullable: true,
    description: 'Null until a signal bears on quality.',
    resolve: (i) =>
      i.outcome !== undefined && i.outcomeConfidence !== undefined && i.outcomeAt !== undefined
        ? { outcome: i.outcome, confidence: i.outcomeConfidence, inferredAt: i.outcomeAt }
        : null,
  }),
  signals: t.loadableList({
    type: SignalRef,
    description: 'Every signal on the interaction, oldest first.',
    load: async (ids: string[], context) => {
      const page = await context.readStore.find<SignalDoc>(
        FEEDBACK_SIGNALS,
        { interactionId: { $in: ids } },
        { sort: { interactionId: 1, position: 1 }, limit: 10_000 },
      );
      return ids.map((id) => page.docs.filter((s) => s.interactionId === id));
    },
    resolve: (i) => i._id,
  }),
  replacedBy: t.string({ nullable: true, description: 'The interaction that replaced this one (regeneration).', resolve: (i) => i.replacedBy ?? null }),
  replaces: t.string({ nullable: true, description: 'The interaction this one replaced (regeneration).', resolve: (i) => i.replaces ?? null }),
}));
