import { FEEDBACK_FACTS, type FactDoc } from '../../projections/feedback-facts';
import type { ReadStore } from '../../projections/read-store';
import type { LabelledExample } from './calibration';
import { IMPLICIT_FEATURES, logit, sigmoid, type OutcomeWeights } from './outcome';

/**
 * The two bias reports, computed from the per-interaction facts of the feedback read model:
 * latency bias (do explicit ratings track speed rather than quality?) and survivorship bias (who
 * gives explicit feedback, compared with all traffic). Both read at most MAX_FACTS of the
 * workload's newest interactions: they describe recent traffic, and stay bounded in cost.
 */
export const MAX_FACTS = 50_000;

export async function loadFacts(readStore: ReadStore, workloadId: string, limit = MAX_FACTS): Promise<FactDoc[]> {
  const facts: FactDoc[] = [];
  let after: string | undefined;
  while (facts.length < limit) {
    const page = await readStore.find<FactDoc>(
      FEEDBACK_FACTS,
      { workloadId },
      { sort: { occurredAt: -1 }, limit: Math.min(10_000, limit - facts.length), ...(after ? { after } : {}) },
    );
    facts.push(...page.docs);
    if (!page.next) break;
    after = page.next;
  }
  return facts;
}

/**
 * Interactions whose quality is known: people's labels first (any failed metric makes the answer
 * bad), else the latest thumb on quality.
 */
export function labelledExamples(facts: readonly FactDoc[]): LabelledExample[] {
  return facts.flatMap((f): LabelledExample[] => {
    const fail = f.humanLabels?.fail ?? 0;
    const pass = f.humanLabels?.pass ?? 0;
    if (fail + pass > 0) return [{ features: f.features, good: fail === 0, source: 'human' }];
    return f.lastThumb ? [{ features: f.features, good: f.lastThumb === 'up', source: 'thumbs' }] : [];
  });
}

const hasExplicit = (f: FactDoc) => f.thumbs.up + f.thumbs.down + f.speedThumbs.up + f.speedThumbs.down > 0;
const hasImplicit = (f: FactDoc) => IMPLICIT_FEATURES.some((feature) => f.features[feature] > 0);

// ---- latency bias ---------------------------------------------------------------------------

export interface LatencyBand {
  readonly minMs: number;
  readonly maxMs: number;
  readonly interactions: number;
  readonly rated: number;
  /** Share of thumbs-up among rated interactions in the band. */
  readonly approvalRate: number | null;
  /** Share judged good by implicit behaviour alone, among interactions with implicit signals. */
  readonly implicitGoodRate: number | null;
}

export interface LatencyBiasReport {
  readonly workloadId: string;
  /** Interactions with a quality thumb and a latency. */
  readonly rated: number;
  readonly approvalRate: number | null;
  /** Correlation of latency with approval (point-biserial, −1…1): negative means faster answers are rated better. */
  readonly correlation: number | null;
  /** The same for thumbs on the `speed` dimension, which are meant to track latency. */
  readonly speedRated: number;
  readonly speedCorrelation: number | null;
  /** Correlation of latency with the implicit-signal score: what behaviour says about quality against latency. */
  readonly implicitCorrelation: number | null;
  /** Latency quartiles of all traffic, with approval and implicit quality in each. */
  readonly bands: readonly LatencyBand[];
  /** Ratings favour fast answers more than behaviour says their quality warrants. */
  readonly biased: boolean;
  readonly summary: string;
}

export function latencyBiasReport(workloadId: string, facts: readonly FactDoc[], weights: OutcomeWeights): LatencyBiasReport {
  const timed = facts.filter((f): f is FactDoc & { latencyMs: number } => f.latencyMs !== null);
  const rated = timed.filter((f) => f.lastThumb !== null);
  const speedRated = timed.filter((f) => f.speedThumbs.up + f.speedThumbs.down > 0);
  const implicit = timed.filter(hasImplicit);
  const implicitScore = (f: FactDoc) => logit(f.features, weights, IMPLICIT_FEATURES);
  const correlation = pearson(rated.map((f) => f.latencyMs), rated.map((f) => (f.lastThumb === 'up' ? 1 : 0)));
  const speedCorrelation = pearson(speedRated.map((f) => f.latencyMs), speedRated.map((f) => (f.speedThumbs.up >= f.speedThumbs.down ? 1 : 0)));
  const implicitCorrelation = pearson(implicit.map((f) => f.latencyMs), implicit.map(implicitScore));
  const cuts = quantiles(timed.map((f) => f.latencyMs), [0.25, 0.5, 0.75]);
  const edges = [Number.NEGATIVE_INFINITY, ...cuts, Number.POSITIVE_INFINITY];
  const bands: LatencyBand[] = [];
  for (let b = 0; b + 1 < edges.length; b++) {
    const lo = edges[b] ?? 0;
    const hi = edges[b + 1] ?? 0;
    const inBand = timed.filter((f) => f.latencyMs > lo && f.latencyMs <= hi);
    if (inBand.length === 0) continue;
    const bandRated = inBand.filter((f) => f.lastThumb !== null);
    const bandImplicit = inBand.filter(hasImplicit);
    bands.push({
      minMs: Math.min(...inBand.map((f) => f.latencyMs)),
      maxMs: Math.max(...inBand.map((f) => f.latencyMs)),
      interactions: inBand.length,
      rated: bandRated.length,
      approvalRate: share(bandRated, (f) => f.lastThumb === 'up'),
      implicitGoodRate: share(bandImplicit, (f) => sigmoid(implicitScore(f)) >= 0.5),
    });
  }
  const biased = correlation !== null && correlation <= -0.2 && (implicitCorrelation === null || implicitCorrelation > correlation + 0.1);
  const summary =
    correlation === null
      ? 'Not enough rated interactions with a latency to say.'
      : biased
        ? `Ratings favour fast answers (r = ${correlation}) more than behaviour explains (implicit r = ${implicitCorrelation ?? 'n/a'}): explicit feedback here partly rates speed, not quality.`
        : `No latency bias beyond what behaviour shows (r = ${correlation}, implicit r = ${implicitCorrelation ?? 'n/a'}).`;
  return {
    workloadId,
    rated: rated.length,
    approvalRate: share(rated, (f) => f.lastThumb === 'up'),
    correlation,
    speedRated: speedRated.length,
    speedCorrelation,
    implicitCorrelation,
    bands,
    biased,
    summary,
  };
}

// ---- coverage (survivorship) ------------------------------------------------------------------

export const SEGMENT_DIMENSIONS = ['client', 'queryLength', 'language', 'nodeType'] as const;
export type SegmentDimension = (typeof SEGMENT_DIMENSIONS)[number];

export interface Segment {
  readonly dimension: SegmentDimension;
  readonly value: string;
  readonly interactions: number;
  readonly withExplicit: number;
  readonly rate: number;
  /** Share of all traffic in this segment, and of the interactions with explicit feedback. */
  readonly shareOfTraffic: number;
  readonly shareOfFeedback: number;
}

export interface PopulationProfile {
  readonly interactions: number;
  readonly meanLatencyMs: number | null;
  /** Shares of each inferred outcome among interactions that have one. */
  readonly goodRate: number | null;
  readonly badRate: number | null;
}

export interface CoverageReport {
  readonly workloadId: string;
  readonly interactions: number;
  readonly withExplicit: number;
  readonly rate: number | null;
  readonly segments: readonly Segment[];
  /** Per dimension, the total variation distance between feedback givers and all traffic (0: alike, 1: disjoint). */
  readonly shifts: readonly { readonly dimension: SegmentDimension; readonly totalVariation: number }[];
  readonly allTraffic: PopulationProfile;
  readonly feedbackGivers: PopulationProfile;
}

function segmentValue(f: FactDoc, dimension: SegmentDimension): string {
  switch (dimension) {
    case 'client':
      return f.clientId ?? 'unknown';
    case 'queryLength':
      return f.queryLength;
    case 'language':
      return f.language;
    case 'nodeType':
      return f.nodeType ?? 'none';
  }
}

export function coverageReport(workloadId: string, facts: readonly FactDoc[]): CoverageReport {
  const givers = facts.filter(hasExplicit);
  const segments: Segment[] = [];
  const shifts: { dimension: SegmentDimension; totalVariation: number }[] = [];
  for (const dimension of SEGMENT_DIMENSIONS) {
    const groups = new Map<string, { interactions: number; withExplicit: number }>();
    for (const f of facts) {
      const group = groups.get(segmentValue(f, dimension)) ?? { interactions: 0, withExplicit: 0 };
      group.interactions += 1;
      if (hasExplicit(f)) group.withExplicit += 1;
      groups.set(segmentValue(f, dimension), group);
    }
    let distance = 0;
    for (const [value, g] of [...groups.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      const shareOfTraffic = g.interactions / Math.max(1, facts.length);
      const shareOfFeedback = g.withExplicit / Math.max(1, givers.length);
      distance += Math.abs(shareOfTraffic - shareOfFeedback);
      segments.push({
        dimension,
        value,
        interactions: g.interactions,
        withExplicit: g.withExplicit,
        rate: round(g.withExplicit / g.interactions),
        shareOfTraffic: round(shareOfTraffic),
        shareOfFeedback: round(shareOfFeedback),
      });
    }
    shifts.push({ dimension, totalVariation: givers.length === 0 ? 0 : round(distance / 2) });
  }
  return {
    workloadId,
    interactions: facts.length,
    withExplicit: givers.length,
    rate: facts.length === 0 ? null : round(givers.length / facts.length),
    segments,
    shifts,
    allTraffic: profile(facts),
    feedbackGivers: profile(givers),
  };
}

function profile(facts: readonly FactDoc[]): PopulationProfile {
  const timed = facts.flatMap((f) => (f.latencyMs === null ? [] : [f.latencyMs]));
  const judged = facts.filter((f) => f.outcome !== null);
  return {
    interactions: facts.length,
    meanLatencyMs: timed.length === 0 ? null : Math.round(timed.reduce((a, b) => a + b, 0) / timed.length),
    goodRate: share(judged, (f) => f.outcome === 'good'),
    badRate: share(judged, (f) => f.outcome === 'bad'),
  };
}

// ---- statistics -------------------------------------------------------------------------------

export function pearson(xs: readonly number[], ys: readonly number[]): number | null {
  const n = Math.min(xs.length, ys.length);
  if (n < 3) return null;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = (xs[i] ?? 0) - mx;
    const dy = (ys[i] ?? 0) - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  if (sxx === 0 || syy === 0) return null;
  return round(sxy / Math.sqrt(sxx * syy));
}

function quantiles(values: readonly number[], ps: readonly number[]): number[] {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return [];
  return [...new Set(ps.map((p) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0))];
}

function share<T>(items: readonly T[], predicate: (item: T) => boolean): number | null {
  return items.length === 0 ? null : round(items.filter(predicate).length / items.length);
}

function round(value: number): number {
  return Math.round(value * 1_000) / 1_000;
}
