import type { NewDomainEvent } from '../events/catalogue';
import { recorded } from '../test/events';
import { givenEvents } from '../test/projection-spec';
import { extractSql, isOrdered, normalizeQuestion, sameRows } from '../services/evaluation/pipelines/node-checks';
import { evaluationPipelinesProjection, NODE_CHECKS, PIPELINE_SETTINGS } from './evaluation-pipelines';

const meta = (minute: number) => ({ actor: 'key:k1', correlationId: 'c', causationId: null, occurredAt: `2026-11-26T10:0${minute}:00.000Z`, schemaVersion: 1 });
const id = (n: number) => `00000000-0000-4000-8000-00000000000${n}`;

describe('evaluation-pipelines projection', () => {
  it('given settings, a label before its check and the check, then the settings and one merged node document', async () => {
    const events: NewDomainEvent[] = [
      { id: id(1), type: 'PipelineChecksConfigured', data: { workloadId: 'sql', sampleDatabaseSql: 'CREATE TABLE t (x);', sampleDatabaseHash: 'a'.repeat(64), references: [], classes: ['orders'] }, metadata: meta(1) },
      { id: id(2), type: 'ClassLabelled', data: { workloadId: 'sql', interactionId: 'i-1', expectedClass: 'orders', annotator: 'key:a' }, metadata: meta(2) },
      {
        id: id(3),
        type: 'PipelineNodeChecked',
        data: {
          workloadId: 'sql',
          interactionId: 'i-1',
          pipelineRunId: 'run-1',
          nodeId: 'classify',
          nodeType: 'classifier',
          interactionOccurredAt: '2026-11-26T09:00:00.000Z',
          checks: [{ check: 'class-valid', pass: true, evidence: 'answered orders' }],
          predictedClass: 'orders',
          checkerVersion: 'pipeline-checks-v1',
        },
        metadata: meta(3),
      },
    ];
    const store = await givenEvents(evaluationPipelinesProjection, events.map((e, i) => recorded(e, i)));
    expect(await store.findById(PIPELINE_SETTINGS, 'sql')).toMatchObject({ classes: ['orders'], sampleDatabaseHash: 'a'.repeat(64) });
    expect(await store.findById(NODE_CHECKS, 'i-1')).toMatchObject({ expectedClass: 'orders', predictedClass: 'orders', pipelineRunId: 'run-1', checks: [{ check: 'class-valid', pass: true }] });
  });
});

describe('node check helpers', () => {
  it('extracts fenced SQL, normalises questions and compares rows as multisets unless ordered', () => {
    expect(extractSql('Here:\n```sql\nSELECT 1;\n```\nDone')).toBe('SELECT 1;');
    expect(extractSql(' SELECT 2 ')).toBe('SELECT 2');
    expect(normalizeQuestion('  Top 5   customers?? ')).toBe('top 5 customers');
    expect(sameRows([[1], [2]], [[2], [1]], false)).toBe(true);
    expect(sameRows([[1], [2]], [[2], [1]], true)).toBe(false);
    expect(sameRows([[0.1 + 0.2]], [[0.3]], true)).toBe(true);
    expect(isOrdered('select x from t ORDER  BY x')).toBe(true);
  });
});
