import type { NewDomainEvent } from '../../events/catalogue';
import { deciderSpec } from '../../test/gwt';
import { InputInvalid } from '../errors';
import { MetricAlreadyDefined, MetricIsRetired, MetricNotFound, MetricVersionConflict } from './errors';
import { decide, evolve, initialState, metricIdOf, type DefineMetric, type ReviseMetric } from './metric-decider';

const metadata = { actor: 'key:k1', correlationId: 'c-1', causationId: null, occurredAt: '2026-11-26T10:00:00.000Z', schemaVersion: 1 };
const define = (overrides: Partial<DefineMetric> = {}): DefineMetric => ({
  type: 'DefineMetric',
  workloadId: 'support-bot',
  nodeType: null,
  name: 'Tone adherence',
  question: 'Is the answer brief and kind?',
  rubric: 'Pass: polite, under 3 sentences. Fail: curt or rambling.',
  judgeModel: null,
  metadata,
  ...overrides,
});
const revise = (changes: ReviseMetric['changes'], expectedVersion: number | null = null): ReviseMetric => ({
  type: 'ReviseMetric',
  metricId: 'support-bot.tone-adherence',
  expectedVersion,
  changes,
  metadata,
});
const retire = { type: 'RetireMetric' as const, metricId: 'support-bot.tone-adherence', reason: 'split in two', metadata };

const spec = deciderSpec({ decide, evolve, initialState });
const defined = decide(define(), initialState);
const revised = decide(revise({ rubric: 'Pass: polite. Fail: curt.' }), defined.reduce(evolve, initialState));

describe('metric decider', () => {
  it('derives a readable id per workload and node type', () => {
    expect(metricIdOf('support-bot', 'Tone adherence', null)).toBe('support-bot.tone-adherence');
    expect(metricIdOf('text-to-sql', 'SQL runs!', 'codegen')).toBe('text-to-sql.sql-runs.codegen');
  });

  it('given nothing, when a metric is defined, then MetricDefined at version 1', () => {
    expect(defined).toHaveLength(1);
    expect(defined[0]).toMatchObject({
      type: 'MetricDefined',
      data: { metricId: 'support-bot.tone-adherence', workloadId: 'support-bot', nodeType: null, version: 1, judgeModel: null },
    });
  });

  it('given the metric, when the same definition is sent again, then nothing; when another, then MetricAlreadyDefined', () => {
    spec.given(defined).when(define()).then([]);
    spec.given(defined).when(define({ question: 'Other?' })).thenThrows(MetricAlreadyDefined);
  });

  it('when a definition has no question, then InputInvalid', () => {
    spec.given([]).when(define({ question: '  ' })).thenThrows(InputInvalid);
  });

  it('given the metric, when revised, then MetricRevised at the next version with the full definition', () => {
    expect(revised).toEqual([
      expect.objectContaining({
        type: 'MetricRevised',
        data: expect.objectContaining({ version: 2, rubric: 'Pass: polite. Fail: curt.', question: 'Is the answer brief and kind?' }),
      }),
    ]);
  });

  it('given version 2, when revised expecting version 1, then MetricVersionConflict; unchanged, then nothing', () => {
    spec.given([...defined, ...revised]).when(revise({ rubric: 'x' }, 1)).thenThrows(MetricVersionConflict);
    spec.given([...defined, ...revised]).when(revise({ rubric: 'Pass: polite. Fail: curt.' }, 2)).then([]);
  });

  it('given nothing, when revised or retired, then MetricNotFound', () => {
    spec.given([]).when(revise({ rubric: 'x' })).thenThrows(MetricNotFound);
    spec.given([]).when(retire).thenThrows(MetricNotFound);
  });

  it('given the metric, when retired, then MetricRetired naming its last version; then revising is refused', () => {
    const retired = decide(retire, [...defined, ...revised].reduce(evolve, initialState));
    expect(retired).toEqual([expect.objectContaining({ type: 'MetricRetired', data: expect.objectContaining({ version: 2, reason: 'split in two' }) })]);
    const history: NewDomainEvent[] = [...defined, ...revised, ...retired];
    spec.given(history).when(revise({ rubric: 'y' })).thenThrows(MetricIsRetired);
    spec.given(history).when(retire).then([]);
  });
});
