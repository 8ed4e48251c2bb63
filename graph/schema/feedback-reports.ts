import { FEEDBACK_DAILY, type DailyDoc } from '../../projections/feedback-daily';
import { InputInvalid } from '../../services/errors';
import type { CalibrationReport, SignalPower } from '../../services/feedback/calibration';
import { FEATURES, type Feature } from '../../events/signal-features';
import type { CoverageReport, LatencyBand, LatencyBiasReport, PopulationProfile, Segment } from '../../services/feedback/reports';
import { SEGMENT_DIMENSIONS } from '../../services/feedback/reports';
import type { CurrentWeights } from '../../services/feedback/weights';
import { builder } from '../builder';
import { commandContext, requireWorkload } from '../guards';
import { signalCounts, SignalCountRef } from './feedback-types';

const FeatureEnum = builder.enumType('OutcomeFeature', {
  description: 'A triangulation feature: one per signal type, adoption split by kind, re-asks apart from other follow-ups.',
  values: FEATURES,
});
const SegmentDimensionEnum = builder.enumType('SegmentDimension', { values: SEGMENT_DIMENSIONS });

// ---- the daily timeline -------------------------------------------------------------------

const OutcomeCountsRef = builder.objectRef<Readonly<Record<string, number>>>('OutcomeCounts').implement({
  description: 'Interactions by their current inferred outcome.',
  fields: (t) => ({
    good: t.int({ resolve: (o) => o['good'] ?? 0 }),
    bad: t.int({ resolve: (o) => o['bad'] ?? 0 }),
    unknown: t.int({ resolve: (o) => o['unknown'] ?? 0 }),
  }),
});

const FeedbackDayRef = builder.objectRef<DailyDoc>('FeedbackDay').implement({
  description: 'One workload on one day (UTC) of its interactions: how many, every signal type on them, and their outcomes.',
  fields: (t) => ({
    workloadId: t.string({ resolve: (d) => d.workloadId }),
    day: t.string({ description: 'YYYY-MM-DD', resolve: (d) => d.day }),
    interactions: t.int({ resolve: (d) => d.interactions ?? 0 }),
    signals: t.field({ type: [SignalCountRef], resolve: (d) => signalCounts(d.signals) }),
    outcomes: t.field({ type: OutcomeCountsRef, resolve: (d) => d.outcomes ?? {} }),
  }),
});

// ---- weights and calibration --------------------------------------------------------------

interface FeatureWeight {
  readonly feature: Feature;
  readonly weight: number;
}

const FeatureWeightRef = builder.objectRef<FeatureWeight>('FeatureWeight').implement({
  fields: (t) => ({ feature: t.field({ type: FeatureEnum, resolve: (w) => w.feature }), weight: t.exposeFloat('weight') }),
});

const WeightsSourceEnum = builder.enumType('OutcomeWeightsSource', { values: ['default', 'manual', 'calibration'] as const });

const OutcomeWeightsRef = builder.objectRef<CurrentWeights>('OutcomeWeights').implement({
  description: 'How a workload’s signals are weighed into its inferred outcomes: logit = bias + Σ weight × feature.',
  fields: (t) => ({
    workloadId: t.exposeString('workloadId'),
    bias: t.float({ resolve: (w) => w.weights.bias }),
    threshold: t.float({ description: 'The confidence an outcome needs to be good or bad rather than unknown.', resolve: (w) => w.weights.threshold }),
    weights: t.field({ type: [FeatureWeightRef], resolve: (w) => FEATURES.map((feature) => ({ feature, weight: w.weights.weights[feature] })) }),
    source: t.field({ type: WeightsSourceEnum, resolve: (w) => w.source }),
    revision: t.exposeInt('revision', { description: '-1 while the defaults apply.' }),
    setAt: t.field({ type: 'DateTime', nullable: true, resolve: (w) => w.setAt }),
  }),
});

const SignalPowerRef = builder.objectRef<SignalPower>('SignalPower').implement({
  description: 'How well one implicit signal predicts explicit feedback on the same interactions.',
  fields: (t) => ({
    feature: t.field({ type: FeatureEnum, resolve: (s) => s.feature }),
    support: t.exposeInt('support', { description: 'Labelled interactions with the signal.' }),
    weight: t.exposeFloat('weight', { description: 'The weight calibration proposes.' }),
    fitted: t.exposeBoolean('fitted', { description: 'False: too little support, the current weight is kept.' }),
    auc: t.float({ nullable: true, description: 'The signal alone as a ranking of good over bad (0.5: no information).', resolve: (s) => s.auc }),
    goodRateWith: t.float({ nullable: true, resolve: (s) => s.goodRateWith }),
    goodRateWithout: t.float({ nullable: true, resolve: (s) => s.goodRateWithout }),
  }),
});

type Calibration = CalibrationReport & { readonly applied: boolean; readonly workloadId: string };

const CalibrationRef = builder.objectRef<Calibration>('OutcomeCalibration').implement({
  description: 'Logistic regression of known quality (people’s labels, else explicit thumbs) on the implicit signals of the same interactions.',
  fields: (t) => ({
    workloadId: t.exposeString('workloadId'),
    labelled: t.exposeInt('labelled'),
    humanLabelled: t.exposeInt('humanLabelled', { description: 'Labelled by people (annotation); the rest by explicit thumbs.' }),
    good: t.exposeInt('good'),
    fitted: t.exposeBoolean('fitted'),
    applied: t.exposeBoolean('applied', { description: 'The proposed weights were recorded (OutcomeWeightsSet) and apply to new signals.' }),
    reason: t.string({ nullable: true, resolve: (c) => c.reason }),
    accuracy: t.float({ nullable: true, resolve: (c) => c.accuracy }),
    auc: t.float({ nullable: true, resolve: (c) => c.auc }),
    crossValidatedAuc: t.float({ nullable: true, resolve: (c) => c.crossValidatedAuc }),
    logLoss: t.float({ nullable: true, resolve: (c) => c.logLoss }),
    bias: t.float({ resolve: (c) => c.weights.bias }),
    signals: t.field({ type: [SignalPowerRef], resolve: (c) => [...c.signals] }),
  }),
});

const FeatureWeightInput = builder.inputType('FeatureWeightInput', {
  fields: (t) => ({ feature: t.field({ type: FeatureEnum, required: true }), weight: t.float({ required: true }) }),
});

const SetOutcomeWeightsInput = builder.inputType('SetOutcomeWeightsInput', {
  description: 'Only what changes: the other weights keep their current values.',
  fields: (t) => ({
    workloadId: t.string({ required: true }),
    bias: t.float(),
    threshold: t.float(),
    weights: t.field({ type: [FeatureWeightInput] }),
  }),
});

// ---- bias reports -------------------------------------------------------------------------

const LatencyBandRef = builder.objectRef<LatencyBand>('LatencyBand').implement({
  fields: (t) => ({
    minMs: t.exposeFloat('minMs'),
    maxMs: t.exposeFloat('maxMs'),
    interactions: t.exposeInt('interactions'),
    rated: t.exposeInt('rated'),
    approvalRate: t.float({ nullable: true, resolve: (b) => b.approvalRate }),
    implicitGoodRate: t.float({ nullable: true, resolve: (b) => b.implicitGoodRate }),
  }),
});

const LatencyBiasRef = builder.objectRef<LatencyBiasReport>('LatencyBiasReport').implement({
  description: 'Whether explicit ratings track latency: fast-but-mediocre answers being preferred shows here.',
  fields: (t) => ({
    workloadId: t.exposeString('workloadId'),
    rated: t.exposeInt('rated'),
    approvalRate: t.float({ nullable: true, resolve: (r) => r.approvalRate }),
    correlation: t.float({ nullable: true, description: 'Latency vs approval (point-biserial): negative, faster answers are rated better.', resolve: (r) => r.correlation }),
    speedRated: t.exposeInt('speedRated'),
    speedCorrelation: t.float({ nullable: true, resolve: (r) => r.speedCorrelation }),
    implicitCorrelation: t.float({ nullable: true, description: 'Latency vs the implicit-signal score.', resolve: (r) => r.implicitCorrelation }),
    bands: t.field({ type: [LatencyBandRef], resolve: (r) => [...r.bands] }),
    biased: t.exposeBoolean('biased'),
    summary: t.exposeString('summary'),
  }),
});

const SegmentRef = builder.objectRef<Segment>('FeedbackSegment').implement({
  fields: (t) => ({
    dimension: t.field({ type: SegmentDimensionEnum, resolve: (s) => s.dimension }),
    value: t.exposeString('value'),
    interactions: t.exposeInt('interactions'),
    withExplicit: t.exposeInt('withExplicit'),
    rate: t.exposeFloat('rate', { description: 'Explicit-feedback rate in the segment.' }),
    shareOfTraffic: t.exposeFloat('shareOfTraffic'),
    shareOfFeedback: t.exposeFloat('shareOfFeedback'),
  }),
});

const ShiftRef = builder.objectRef<{ dimension: (typeof SEGMENT_DIMENSIONS)[number]; totalVariation: number }>('FeedbackPopulationShift').implement({
  fields: (t) => ({
    dimension: t.field({ type: SegmentDimensionEnum, resolve: (s) => s.dimension }),
    totalVariation: t.exposeFloat('totalVariation', { description: '0: feedback givers look like all traffic; 1: nothing in common.' }),
  }),
});

const ProfileRef = builder.objectRef<PopulationProfile>('PopulationProfile').implement({
  fields: (t) => ({
    interactions: t.exposeInt('interactions'),
    meanLatencyMs: t.float({ nullable: true, resolve: (p) => p.meanLatencyMs }),
    goodRate: t.float({ nullable: true, resolve: (p) => p.goodRate }),
    badRate: t.float({ nullable: true, resolve: (p) => p.badRate }),
  }),
});

const CoverageRef = builder.objectRef<CoverageReport>('FeedbackCoverageReport').implement({
  description: 'Survivorship bias: who gives explicit feedback, by segment, against all traffic.',
  fields: (t) => ({
    workloadId: t.exposeString('workloadId'),
    interactions: t.exposeInt('interactions'),
    withExplicit: t.exposeInt('withExplicit'),
    rate: t.float({ nullable: true, resolve: (c) => c.rate }),
    segments: t.field({ type: [SegmentRef], resolve: (c) => [...c.segments] }),
    shifts: t.field({ type: [ShiftRef], resolve: (c) => [...c.shifts] }),
    allTraffic: t.field({ type: ProfileRef, resolve: (c) => c.allTraffic }),
    feedbackGivers: t.field({ type: ProfileRef, resolve: (c) => c.feedbackGivers }),
  }),
});

// ---- fields -------------------------------------------------------------------------------

builder.queryFields((t) => ({
  feedback: t.field({
    type: [FeedbackDayRef],
    description: 'Per-day counts of every signal type and outcome for a workload, oldest first; days in [from, to).',
    authScopes: { read: true },
    args: { workloadId: t.arg.string({ required: true }), from: t.arg({ type: 'DateTime' }), to: t.arg({ type: 'DateTime' }) },
    resolve: async (_root, { workloadId, from, to }, context) => {
      requireWorkload(context, workloadId);
      const day = {
        ...(from ? { $gte: from.toISOString().slice(0, 10) } : {}),
        ...(to ? { $lt: to.toISOString().slice(0, 10) } : {}),
      };
      const filter = from || to ? { workloadId, day } : { workloadId };
      const page = await context.readStore.find<DailyDoc>(FEEDBACK_DAILY, filter, { sort: { workloadId: 1, day: 1 }, limit: 10_000 });
      return [...page.docs];
    },
  }),
  latencyBias: t.field({
    type: LatencyBiasRef,
    authScopes: { read: true },
    args: { workloadId: t.arg.string({ required: true }) },
    resolve: (_root, { workloadId }, context) => {
      requireWorkload(context, workloadId);
      return context.services.feedback.latencyBias(workloadId);
    },
  }),
  feedbackCoverage: t.field({
    type: CoverageRef,
    authScopes: { read: true },
    args: { workloadId: t.arg.string({ required: true }) },
    resolve: (_root, { workloadId }, context) => {
      requireWorkload(context, workloadId);
      return context.services.feedback.coverage(workloadId);
    },
  }),
  outcomeWeights: t.field({
    type: OutcomeWeightsRef,
    authScopes: { read: true },
    args: { workloadId: t.arg.string({ required: true }) },
    resolve: (_root, { workloadId }, context) => {
      requireWorkload(context, workloadId);
      return context.services.feedback.weights(workloadId);
    },
  }),
  outcomeCalibration: t.field({
    type: CalibrationRef,
    description: 'Fits the weights without recording them: what calibration would change, and how well each signal predicts.',
    authScopes: { read: true },
    args: { workloadId: t.arg.string({ required: true }) },
    resolve: async (_root, { workloadId }, context) => {
      requireWorkload(context, workloadId);
      return { ...(await context.services.feedback.calibrate(workloadId, { apply: false }, commandContext(context))), workloadId };
    },
  }),
}));

builder.mutationFields((t) => ({
  setOutcomeWeights: t.field({
    type: OutcomeWeightsRef,
    description: 'Set some of a workload’s outcome weights (OutcomeWeightsSet); they apply to signals recorded from then on.',
    authScopes: { admin: true },
    args: { input: t.arg({ type: SetOutcomeWeightsInput, required: true }) },
    errors: { types: [InputInvalid], directResult: true, union: { name: 'SetOutcomeWeightsResult' } },
    resolve: async (_root, { input }, context) => {
      await context.services.feedback.setWeights(input, commandContext(context));
      return context.services.feedback.weights(input.workloadId);
    },
  }),
  calibrateOutcomeWeights: t.field({
    type: CalibrationRef,
    description: 'Fits the implicit-signal weights against explicit feedback and records them when the fit succeeds.',
    authScopes: { admin: true },
    args: { workloadId: t.arg.string({ required: true }) },
    resolve: async (_root, { workloadId }, context) => ({
      ...(await context.services.feedback.calibrate(workloadId, { apply: true }, commandContext(context))),
      workloadId,
    }),
  }),
}));
