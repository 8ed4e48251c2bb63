import type { AnnotationService } from './annotation/annotation-service';
import type { EvaluationQueries } from './evaluation-queries';
import type { JudgeCounter } from './judge/judge-counter';
import type { MetricService } from './metric-service';
import type { PipelineService } from './pipelines/pipeline-service';
import type { InputValidator } from './validators/input-validator';
import type { ValidatorSettings } from './validators/validator-settings';

/** What the API uses of the evaluation feature; wired in app/evaluation.ts. */
export interface EvaluationServices {
  readonly metrics: MetricService;
  readonly queries: EvaluationQueries;
  /** The synchronous validateInput path (its own history cache, refreshed in the background). */
  readonly validator: InputValidator;
  readonly validatorSettings: ValidatorSettings;
  /** What the judge did in this process, or why it does nothing. */
  readonly judge: JudgeCounter;
  readonly annotation: AnnotationService;
  readonly pipelines: PipelineService;
}
