import type { EvaluationQueries } from './evaluation-queries';
import type { MetricService } from './metric-service';

/** What the API uses of the evaluation feature; wired in app/wiring.ts. */
export interface EvaluationServices {
  readonly metrics: MetricService;
  readonly queries: EvaluationQueries;
}
