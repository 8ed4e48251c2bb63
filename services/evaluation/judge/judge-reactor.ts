import type { DomainEvent, NewDomainEvent } from '../../../events/catalogue';
import { EVALUATION_CATEGORY, EvaluationSkipped, MetricEvaluated } from '../../../events/catalogue/evaluation';
import type { InteractionLoggedData } from '../../../events/catalogue/ingest';
import { streamName } from '../../../events/envelope';
import { sha256Hex } from '../../../lib/ids';
import { JUDGE_SAMPLING, METRICS, type JudgeSamplingDoc, type MetricDoc } from '../../../projections/evaluation';
import type { ReadStore } from '../../../projections/read-store';
import { costOf, JudgeUnavailable, modelFamily, type JudgeLlm } from '../../llm/judge-llm';
import { defineReactor, type Reactor, type ReactorContext } from '../../reactor';
import { isRuleMetric } from '../pipelines/rule-results';
import { textOf } from '../validators/input-validator';
import type { JudgeCounter } from './judge-counter';

/** Names the prompt below: results from another prompt are another evaluator version. */
export const JUDGE_PROMPT_VERSION = 'judge-prompt-v1';

const SYSTEM = [
  'You evaluate one answer of an AI assistant against one yes/no question and its rubric.',
  'Judge only what the question asks; apply the rubric literally; do not reward length or confidence.',
  'Reply with JSON: {"pass": true|false, "rationale": "one or two sentences citing the answer"}.',
].join(' ');

const MAX_CONTEXT_CHARS = 12_000;

export function judgePrompt(metric: Pick<MetricDoc, 'question' | 'rubric'>, conversation: string, answer: string): string {
  return [
    `Question: ${metric.question}`,
    metric.rubric ? `Rubric:\n${metric.rubric}` : 'Rubric: (none beyond the question)',
    `Conversation so far:\n${conversation.slice(-MAX_CONTEXT_CHARS)}`,
    `Answer to evaluate:\n${answer.slice(0, MAX_CONTEXT_CHARS)}`,
  ].join('\n\n');
}

/** A stable fraction in [0, 1) per interaction: the same interactions are sampled on every replay. */
export function sampleFraction(interactionId: string): number {
  return parseInt(sha256Hex(`judge-sample:${interactionId}`).slice(0, 8), 16) / 0x1_0000_0000;
}

export function sampled(sampling: JudgeSamplingDoc | null, d: InteractionLoggedData): boolean {
  if (!sampling || sampling.rate <= 0) return false;
  const nodeType = d.pipeline?.nodeType ?? null;
  if (sampling.nodeTypes.length > 0 && (nodeType === null || !sampling.nodeTypes.includes(nodeType))) return false;
  if (sampling.models.length > 0 && !sampling.models.some((m) => modelFamily(m) === modelFamily(d.model))) return false;
  return sampleFraction(d.interactionId) < sampling.rate;
}

/** The judge's metrics for an interaction: active, of its workload and node type, and not ones rules evaluate (codegen, classifier). */
export function appliesTo(metric: MetricDoc, d: InteractionLoggedData): boolean {
  return (
    metric.status === 'active' &&
    metric.workloadId === d.workloadId &&
    !isRuleMetric(metric) &&
    (metric.nodeType === null || metric.nodeType === (d.pipeline?.nodeType ?? null))
  );
}

export interface JudgeReactorDeps {
  readonly readStore: ReadStore;
  readonly llm: JudgeLlm;
  readonly defaultModel: string;
  readonly counter: JudgeCounter;
}

/**
 * LLM-as-judge on sampled interactions: every active metric of the workload (of the node's type)
 * is put to its judge model, and the verdict recorded as MetricEvaluated under the metric's
 * current version. A judge of the same model family as the one that answered is refused (it
 * grades its own homework), and a judge that keeps failing leaves a recorded gap, never a guess.
 */
export function judgeReactor(deps: JudgeReactorDeps): Reactor {
  return defineReactor({
    name: 'judge',
    // Interactions are judged independently: many at once, bounded by the client's concurrency limit.
    partitionKey: (event) => (event.type === 'InteractionLogged' ? event.data.interactionId : event.id),
    on: {
      InteractionLogged: async (event, context) => {
        const d = event.data;
        const sampling = await deps.readStore.findById<JudgeSamplingDoc>(JUDGE_SAMPLING, d.workloadId);
        if (!sampled(sampling, d)) return [];
        const metrics = (await deps.readStore.find<MetricDoc>(METRICS, { workloadId: d.workloadId, status: 'active' }, { limit: 200 })).docs.filter((m) =>
          appliesTo(m, d),
        );
        if (metrics.length === 0) return [];
        const answer = textOf([d.response?.choices?.[0]?.message ?? null]).all;
        const conversation = d.request.messages.map((m) => `${m.role}: ${textOf([m]).all}`).join('\n');
        const results = await Promise.all(metrics.map((metric) => judgeOne(deps, context, event, metric, conversation, answer)));
        return [{ stream: streamName(EVALUATION_CATEGORY, d.interactionId), events: results }];
      },
    },
  });
}

async function judgeOne(
  deps: JudgeReactorDeps,
  context: ReactorContext,
  event: Extract<DomainEvent, { type: 'InteractionLogged' }>,
  metric: MetricDoc,
  conversation: string,
  answer: string,
): Promise<NewDomainEvent> {
  const d = event.data;
  const model = metric.judgeModel ?? deps.defaultModel;
  const evaluator = { kind: 'judge' as const, id: model, version: JUDGE_PROMPT_VERSION };
  const key = `${metric._id}@${metric.version}`;
  const skip = (reason: 'SAME_MODEL' | 'NO_ANSWER' | 'JUDGE_FAILED', detail: string): NewDomainEvent => {
    deps.counter.skipped(reason);
    return EvaluationSkipped.create({
      id: context.eventId(`skip:${key}`),
      data: { metricId: metric._id, metricVersion: metric.version, workloadId: d.workloadId, interactionId: d.interactionId, evaluator, reason, detail },
      metadata: context.metadata(),
    });
  };
  if (modelFamily(model) === modelFamily(d.model)) return skip('SAME_MODEL', `judge ${model} and the answering model ${d.model} are one family`);
  if (answer.trim() === '') return skip('NO_ANSWER', 'the interaction has no answer text to judge');
  try {
    const verdict = await deps.llm.judge({ model, system: SYSTEM, user: judgePrompt(metric, conversation, answer) });
    const costUsd = costOf(model, verdict.usage);
    deps.counter.judged(verdict, costUsd);
    return MetricEvaluated.create({
      id: context.eventId(`judge:${key}`),
      data: {
        metricId: metric._id,
        metricVersion: metric.version,
        workloadId: d.workloadId,
        interactionId: d.interactionId,
        nodeType: d.pipeline?.nodeType ?? null,
        pipelineRunId: d.pipeline?.runId ?? null,
        pass: verdict.pass,
        rationale: verdict.rationale.slice(0, 4_000),
        evaluator,
        interactionOccurredAt: event.metadata.occurredAt,
        timeToLabelMs: null,
        costUsd,
      },
      metadata: context.metadata(),
    });
  } catch (error) {
    if (!(error instanceof JudgeUnavailable)) throw error;
    deps.counter.failed();
    return skip('JUDGE_FAILED', error.message.slice(0, 1_000));
  }
}
