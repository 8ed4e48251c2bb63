import type { DomainEvent } from '../../../events/catalogue';
import { EVALUATION_CATEGORY, NODE_CHECK_CATEGORY, PipelineNodeChecked, type PipelineNodeCheckedData } from '../../../events/catalogue/evaluation';
import { streamName } from '../../../events/envelope';
import { PIPELINE_SETTINGS, type PipelineSettingsDoc } from '../../../projections/evaluation-pipelines';
import { INTERACTIONS, type InteractionDoc } from '../../../projections/interactions';
import type { ReadStore } from '../../../projections/read-store';
import { defineReactor, type Reaction, type Reactor, type ReactorContext } from '../../reactor';
import { textOf } from '../validators/input-validator';
import { CHECKER_VERSION, extractSql, isOrdered, normalizeQuestion, predictedClassOf, sameRows } from './node-checks';
import type { SampleDatabases } from './sample-databases';
import { ruleMetrics, ruleResults } from './rule-results';
import type { SqlSandbox } from './sql-sandbox';

type Check = PipelineNodeCheckedData['checks'][number];

export interface PipelineReactorDeps {
  readonly readStore: ReadStore;
  readonly databases: SampleDatabases;
  readonly sandbox: SqlSandbox;
}

/**
 * Checks pipeline nodes by their type: codegen SQL must compile against the workload's sample
 * database, be read-only, run within the time limit, and return the reference rows where a
 * reference exists; a classifier must answer one of its classes, and the class a person labels
 * it with. Writers are the judge's. The workload's metrics of these node types get the rules'
 * verdicts as MetricEvaluated (evaluator kind `rule`).
 */
export function pipelineReactor(deps: PipelineReactorDeps): Reactor {
  return defineReactor({
    name: 'pipeline-checks',
    partitionKey: (event) => (event.type === 'InteractionLogged' || event.type === 'ClassLabelled' ? event.data.interactionId : event.id),
    on: {
      ClassLabelled: (event, context) => classMatchesLabel(deps, event, context),
      InteractionLogged: async (event, context) => {
        const d = event.data;
        const pipeline = d.pipeline;
        if (!pipeline || (pipeline.nodeType !== 'codegen' && pipeline.nodeType !== 'classifier')) return [];
        const settings = await deps.readStore.findById<PipelineSettingsDoc>(PIPELINE_SETTINGS, d.workloadId);
        const answer = textOf([d.response?.choices?.[0]?.message ?? null]).all;
        let checks: Check[] = [];
        let predictedClass: string | null = null;
        if (pipeline.nodeType === 'codegen') {
          if (!settings?.sampleDatabaseSql || !settings.sampleDatabaseHash) return [];
          const question = textOf(d.request.messages.filter((m) => m.role === 'user')).lastUser;
          checks = await checkSql(deps, d.workloadId, settings, extractSql(answer), question);
        } else {
          predictedClass = predictedClassOf(answer);
          if (settings && settings.classes.length > 0) {
            const valid = settings.classes.includes(predictedClass);
            checks = [{ check: 'class-valid', pass: valid, evidence: valid ? `answered ${predictedClass}` : `answered "${predictedClass.slice(0, 100)}", not one of ${settings.classes.join(', ')}` }];
          }
        }
        const about = { workloadId: d.workloadId, interactionId: d.interactionId, nodeType: pipeline.nodeType, pipelineRunId: pipeline.runId, interactionOccurredAt: event.metadata.occurredAt };
        const rule =
          checks.length === 0
            ? null
            : { rule: pipeline.nodeType === 'codegen' ? 'sql-checks' : 'class-valid', pass: checks.every((c) => c.pass), rationale: checks.map((c) => `${c.check}: ${c.evidence}`).join('; ') };
        const results = rule ? ruleResults(context, await ruleMetrics(deps.readStore, d.workloadId, pipeline.nodeType), rule, about) : [];
        return [
          ...(results.length > 0 ? [{ stream: streamName(EVALUATION_CATEGORY, d.interactionId), events: results }] : []),
          {
            stream: streamName(NODE_CHECK_CATEGORY, d.interactionId),
            events: [
              PipelineNodeChecked.create({
                id: context.eventId('checked'),
                data: {
                  workloadId: d.workloadId,
                  interactionId: d.interactionId,
                  pipelineRunId: pipeline.runId,
                  nodeId: pipeline.nodeId,
                  nodeType: pipeline.nodeType,
                  interactionOccurredAt: event.metadata.occurredAt,
                  checks,
                  predictedClass,
                  checkerVersion: CHECKER_VERSION,
                },
                metadata: context.metadata(),
              }),
            ],
          },
        ];
      },
    },
  });
}

/** A person labelled a classifier input: did the classifier answer that class? */
async function classMatchesLabel(deps: PipelineReactorDeps, event: Extract<DomainEvent, { type: 'ClassLabelled' }>, context: ReactorContext): Promise<readonly Reaction[]> {
  const d = event.data;
  const interaction = await deps.readStore.findById<InteractionDoc>(INTERACTIONS, d.interactionId);
  if (!interaction || interaction.nodeType !== 'classifier') return [];
  const predicted = predictedClassOf(textOf([interaction.responseMessage]).all);
  const metrics = await ruleMetrics(deps.readStore, d.workloadId, 'classifier');
  const pass = predicted === d.expectedClass;
  const about = { workloadId: d.workloadId, interactionId: d.interactionId, nodeType: 'classifier' as const, pipelineRunId: interaction.pipelineRunId, interactionOccurredAt: interaction.occurredAt };
  const rationale = pass ? `answered ${predicted}, as labelled` : `answered ${predicted}; labelled ${d.expectedClass} by ${d.annotator}`;
  const results = ruleResults(context, metrics, { rule: 'class-matches-label', pass, rationale }, about);
  return results.length > 0 ? [{ stream: streamName(EVALUATION_CATEGORY, d.interactionId), events: results }] : [];
}

async function checkSql(deps: PipelineReactorDeps, workloadId: string, settings: PipelineSettingsDoc, sql: string, question: string): Promise<Check[]> {
  const path = deps.databases.pathFor(workloadId, settings.sampleDatabaseHash ?? '', settings.sampleDatabaseSql ?? '');
  const compiled = deps.databases.compile(path, sql);
  if (!compiled.ok) return [{ check: 'sql-parses', pass: false, evidence: compiled.error.slice(0, 1_000) }];
  const checks: Check[] = [{ check: 'sql-parses', pass: true, evidence: 'compiles against the sample database' }];
  if (!compiled.readOnly) return [...checks, { check: 'sql-read-only', pass: false, evidence: 'the statement writes or returns no rows; not run' }];
  checks.push({ check: 'sql-read-only', pass: true, evidence: 'read-only query' });
  const run = await deps.sandbox.run(path, sql);
  if (!run.ok) return [...checks, { check: 'sql-executes', pass: false, evidence: `${run.kind}: ${run.message}`.slice(0, 1_000) }];
  checks.push({ check: 'sql-executes', pass: true, evidence: `${run.rows.length}${run.truncated ? '+' : ''} rows in ${Math.round(run.ms)} ms` });
  const reference = settings.references.find((r) => normalizeQuestion(r.question) === normalizeQuestion(question));
  if (!reference) return checks;
  const expected = await deps.sandbox.run(path, reference.sql);
  if (!expected.ok) return [...checks, { check: 'sql-matches-reference', pass: false, evidence: `the reference query failed: ${expected.message}`.slice(0, 1_000) }];
  const same = sameRows(run.rows, expected.rows, isOrdered(reference.sql));
  return [...checks, { check: 'sql-matches-reference', pass: same, evidence: same ? `same ${expected.rows.length} rows as the reference` : `${run.rows.length} rows differ from the reference's ${expected.rows.length}` }];
}
