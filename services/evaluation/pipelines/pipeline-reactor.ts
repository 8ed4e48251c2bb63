import type { DomainEvent } from '../../../events/catalogue';
import { NODE_CHECK_CATEGORY, PipelineNodeChecked, type PipelineNodeCheckedData } from '../../../events/catalogue/evaluation';
import { streamName } from '../../../events/envelope';
import { PIPELINE_SETTINGS, type PipelineSettingsDoc } from '../../../projections/evaluation-pipelines';
import type { ReadStore } from '../../../projections/read-store';
import type { Reaction, Reactor, ReactorContext } from '../../reactor';
import { textOf } from '../validators/input-validator';
import { CHECKER_VERSION, extractSql, isOrdered, normalizeQuestion, predictedClassOf, sameRows } from './node-checks';
import type { SampleDatabases } from './sample-databases';
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
 * reference exists; a classifier must answer one of its classes. Writers are the judge's.
 */
export function pipelineReactor(deps: PipelineReactorDeps): Reactor {
  return {
    name: 'pipeline-checks',
    eventTypes: new Set(['InteractionLogged']),
    partitionKey: (event) => (event.type === 'InteractionLogged' ? event.data.interactionId : event.id),
    async react(event: DomainEvent, context: ReactorContext): Promise<readonly Reaction[]> {
      if (event.type !== 'InteractionLogged') return [];
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
      return [
        {
          stream: streamName(NODE_CHECK_CATEGORY, d.interactionId),
          events: [
            {
              id: context.eventId('checked'),
              type: PipelineNodeChecked.type,
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
              metadata: context.metadata(PipelineNodeChecked.version),
            },
          ],
        },
      ];
    },
  };
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
