import { join } from 'node:path';
import OpenAI from 'openai';
import { evaluationProjection } from '../../projections/evaluation';
import { evaluationAnnotationProjection } from '../../projections/evaluation-annotation';
import { evaluationValidatorsProjection } from '../../projections/evaluation-validators';
import { evaluationPipelinesProjection } from '../../projections/evaluation-pipelines';
import type { Embedder } from '../../services/embeddings/embedder';
import { LexicalEmbedder } from '../../services/embeddings/lexical-embedder';
import { OpenAiEmbedder } from '../../services/embeddings/openai-embedder';
import { AnnotationService } from '../../services/evaluation/annotation/annotation-service';
import { EvaluationQueries } from '../../services/evaluation/evaluation-queries';
import { JudgeCounter } from '../../services/evaluation/judge/judge-counter';
import { judgeReactor } from '../../services/evaluation/judge/judge-reactor';
import { MetricService } from '../../services/evaluation/metric-service';
import { pipelineReactor } from '../../services/evaluation/pipelines/pipeline-reactor';
import { PipelineService } from '../../services/evaluation/pipelines/pipeline-service';
import { SampleDatabases } from '../../services/evaluation/pipelines/sample-databases';
import { SqlSandbox } from '../../services/evaluation/pipelines/sql-sandbox';
import type { EvaluationServices } from '../../services/evaluation/services';
import type { SensitiveInfoDetector } from '../../services/evaluation/validators/checks';
import { InputValidator } from '../../services/evaluation/validators/input-validator';
import { validationReactor } from '../../services/evaluation/validators/validation-reactor';
import { ValidatorSettings } from '../../services/evaluation/validators/validator-settings';
import { OpenAiJudge } from '../../services/llm/openai-judge';
import { detect } from '../../services/privacy/detector';
import type { Reactor } from '../../services/reactor';
import type { Config } from '../config';
import type { FeatureDeps, FeatureParts } from './feature';

export const evaluationProjections = [evaluationProjection, evaluationValidatorsProjection, evaluationAnnotationProjection, evaluationPipelinesProjection];

export interface EvaluationParts extends FeatureParts<{ readonly evaluation: EvaluationServices }> {
  readonly embedder: Embedder;
}

/** The OpenAI client when an endpoint is configured (a key, a base URL or both), else null. */
export function openAiClientFor(config: Config): OpenAI | null {
  if (!config.OPENAI_API_KEY && !config.OPENAI_BASE_URL) return null;
  // Retries are ours (with back-off and a cost count), so the SDK's own are off.
  return new OpenAI({
    apiKey: config.OPENAI_API_KEY ?? 'not-needed',
    ...(config.OPENAI_BASE_URL ? { baseURL: config.OPENAI_BASE_URL } : {}),
    maxRetries: 0,
    timeout: 60_000,
  });
}

/** Privacy's detector is the one source of truth on what counts as personal data. */
const sensitive: SensitiveInfoDetector = (text) => detect(text);

/**
 * Metrics and their results, input validators, the LLM judge (when an OpenAI-compatible endpoint
 * is configured), annotation queues, pipeline checks; their reactors; the SQL sandbox.
 */
export function openEvaluation(deps: FeatureDeps): EvaluationParts {
  const { config } = deps;
  const client = openAiClientFor(config);
  const embedder: Embedder =
    client && config.FLYWHEEL_EMBEDDING_MODEL
      ? new OpenAiEmbedder({ client, model: config.FLYWHEEL_EMBEDDING_MODEL, dimensions: config.FLYWHEEL_EMBEDDING_DIMENSIONS })
      : new LexicalEmbedder();
  deps.logger.info({ embedder: embedder.id }, 'evaluation: embedder');
  const validatorDeps = { readStore: deps.readStore, embedder, sensitive, now: () => deps.now().getTime() };
  const judge = new JudgeCounter(
    client
      ? { configured: true, reason: null, endpoint: client.baseURL, defaultModel: config.FLYWHEEL_JUDGE_MODEL, concurrency: config.FLYWHEEL_JUDGE_CONCURRENCY }
      : { configured: false, reason: 'no OpenAI-compatible endpoint configured (OPENAI_BASE_URL / OPENAI_API_KEY): the judge evaluates nothing', endpoint: null, defaultModel: null, concurrency: null },
  );
  if (!client) deps.logger.warn({}, 'evaluation: no OpenAI-compatible endpoint configured; the LLM judge is off and records nothing');
  const services: EvaluationServices = {
    judge,
    annotation: new AnnotationService(deps),
    pipelines: new PipelineService(deps),
    metrics: new MetricService(deps),
    queries: new EvaluationQueries(deps.readStore),
    validator: new InputValidator(validatorDeps),
    validatorSettings: new ValidatorSettings(deps),
  };
  // The reactor keeps its own history: it walks the log in order, the API serves the present.
  const reactors: Reactor[] = [validationReactor(new InputValidator(validatorDeps))];
  if (client) {
    const llm = new OpenAiJudge({ client, concurrency: config.FLYWHEEL_JUDGE_CONCURRENCY });
    reactors.push(judgeReactor({ readStore: deps.readStore, llm, defaultModel: config.FLYWHEEL_JUDGE_MODEL, counter: judge }));
  }
  const databases = new SampleDatabases(join(config.FLYWHEEL_DATA_DIR, 'sample-dbs'));
  const sandbox = new SqlSandbox({ timeoutMs: 2_000, maxRows: 1_000 });
  reactors.push(pipelineReactor({ readStore: deps.readStore, databases, sandbox }));
  return {
    services: { evaluation: services },
    projections: evaluationProjections,
    reactors,
    routes: [],
    embedder,
    close: async () => {
      await sandbox.close();
      databases.close();
    },
  };
}
