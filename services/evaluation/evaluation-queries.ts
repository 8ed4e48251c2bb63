import type { EvaluatorKind } from '../../events/catalogue/evaluation';
import { METRIC_DAILY, METRIC_RESULTS, METRICS, type MetricDailyDoc, type MetricDoc, type MetricResultDoc } from '../../projections/evaluation';
import type { Filter, ReadStore } from '../../projections/read-store';
import { agreementReport, type AgreementReport } from './agreement';
import { MetricNotFound } from './errors';

export interface TimelinePoint {
  readonly day: string;
  readonly metricId: string;
  readonly metricVersion: number;
  readonly evaluatorKind: EvaluatorKind;
  readonly evaluated: number;
  readonly passed: number;
  readonly passRate: number;
  readonly costUsd: number;
}

export interface TimelineQuery {
  readonly workloadId: string;
  readonly metricId?: string | null;
  readonly evaluatorKind?: EvaluatorKind | null;
  /** Inclusive, `YYYY-MM-DD` of the traffic. */
  readonly fromDay?: string | null;
  /** Inclusive. */
  readonly toDay?: string | null;
}

/** The most results one agreement report reads; a report over more would be sampled. */
const MAX_REPORT_RESULTS = 10_000;

/** Reads of the evaluation read model that the API answers with. */
export class EvaluationQueries {
  constructor(private readonly readStore: ReadStore) {}

  async resultsFor(interactionIds: readonly string[]): Promise<readonly MetricResultDoc[]> {
    if (interactionIds.length === 0) return [];
    const page = await this.readStore.find<MetricResultDoc>(
      METRIC_RESULTS,
      { interactionId: { $in: [...interactionIds] } },
      { sort: { interactionId: 1, metricId: 1 }, limit: 10_000 },
    );
    return page.docs;
  }

  /** Pass rates per day, metric, version and evaluator kind: results under different versions never share a point. */
  async timeline(query: TimelineQuery): Promise<readonly TimelinePoint[]> {
    const filter: Record<string, unknown> = { workloadId: query.workloadId };
    if (query.metricId) filter['metricId'] = query.metricId;
    if (query.evaluatorKind) filter['evaluatorKind'] = query.evaluatorKind;
    if (query.fromDay || query.toDay) {
      filter['day'] = { ...(query.fromDay ? { $gte: query.fromDay } : {}), ...(query.toDay ? { $lte: query.toDay } : {}) };
    }
    const page = await this.readStore.find<MetricDailyDoc>(METRIC_DAILY, filter satisfies Filter, {
      sort: { day: 1, metricId: 1, metricVersion: 1, evaluatorKind: 1 },
      limit: 10_000,
    });
    return page.docs.map((d) => ({
      day: d.day,
      metricId: d.metricId,
      metricVersion: d.metricVersion,
      evaluatorKind: d.evaluatorKind,
      evaluated: d.evaluated,
      passed: d.passed,
      passRate: d.evaluated === 0 ? 0 : d.passed / d.evaluated,
      costUsd: d.costUsd,
    }));
  }

  /** Judge-vs-human and human-vs-human agreement on one metric version (default: the latest). */
  async agreement(metricId: string, version: number | null): Promise<{ metric: MetricDoc; version: number; report: AgreementReport }> {
    const metric = await this.readStore.findById<MetricDoc>(METRICS, metricId);
    if (!metric) throw new MetricNotFound(metricId);
    const metricVersion = version ?? metric.version;
    const page = await this.readStore.find<MetricResultDoc>(
      METRIC_RESULTS,
      { workloadId: metric.workloadId, metricId, metricVersion },
      { sort: { interactionId: 1 }, limit: MAX_REPORT_RESULTS },
    );
    const ratings = page.docs
      .filter((d) => d.evaluatorKind !== 'rule')
      .map((d) => ({ interactionId: d.interactionId, rater: d.evaluatorId, kind: d.evaluatorKind, pass: d.pass, timeToLabelMs: d.timeToLabelMs }));
    return { metric, version: metricVersion, report: agreementReport(ratings) };
  }
}
