import { join } from 'node:path';
import OpenAI from 'openai';
import type { CataloguedEventStore } from '../events/catalogued-event-store';
import type { Logger } from '../lib/logger';
import type { ReadStore } from '../projections/read-store';
import type { Embedder } from '../services/embeddings/embedder';
import { LexicalEmbedder } from '../services/embeddings/lexical-embedder';
import { OpenAiEmbedder } from '../services/embeddings/openai-embedder';
import { AnnotationService } from '../services/evaluation/annotation/annotation-service';
import { EvaluationQueries } from '../services/evaluation/evaluation-queries';
import { JudgeCounter } from '../services/evaluation/judge/judge-counter';
import { judgeReactor } from '../services/evaluation/judge/judge-reactor';
import { MetricService } from '../services/evaluation/metric-service';
import { pipelineReactor } from '../services/evaluation/pipelines/pipeline-reactor';
import { PipelineService } from '../services/evaluation/pipelines/pipeline-service';
import { SampleDatabases } from '../services/evaluation/pipelines/sample-databases';
import { SqlSandbox } from '../services/evaluation/pipelines/sql-sandbox';
import type { EvaluationServices } from '../services/evaluation/services';
import type { SensitiveInfoDetector } from '../services/evaluation/validators/checks';
import { InputValidator } from '../services/evaluation/validators/input-validator';
import { validationReactor } from '../services/evaluation/validators/validation-reactor';
import { ValidatorSettings } from '../services/evaluation/validators/validator-settings';
import { OpenAiJudge } from '../services/llm/openai-judge';
import { detect } from '../services/privacy/detector';
import type { Reactor } from '../services/reactor';
import type { Config } from './config';

export interface EvaluationParts {
  readonly services: EvaluationServices;
  /** Run where the projector runs (see reactorsFor). */
  readonly reactors: readonly Reactor[];
  readonly embedder: Embedder;
  /** Ends the SQL sandbox's child process and closes the sample databases. */
  close(): Promise<void>;
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

/** Wires the evaluation feature: metrics, results, input validators and their reactor. */
export function openEvaluation(
  config: Config,
  deps: { readonly store: CataloguedEventStore; readonly readStore: ReadStore; readonly now: () => Date; readonly logger: Logger },
): EvaluationParts {
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
    services,
    reactors,
    embedder,
    close: async () => {
      await sandbox.close();
      databases.close();
    },
  };
}
