import type { NewDomainEvent } from '../../../events/catalogue';
import type { AnnotationQueueCreatedData } from '../../../events/catalogue/evaluation';
import { deciderSpec } from '../../../test/gwt';
import { InputInvalid } from '../../errors';
import { ClaimNotHeld, NothingToClaim } from './errors';
import { decide, evolve, initialState, type QueueCommand } from './queue-decider';
import { stratifiedSample } from './sampling';

const at = (minute: number) => new Date(Date.UTC(2026, 10, 26, 10, minute)).toISOString();
const meta = (minute: number, actor = 'key:ann1') => ({ actor, correlationId: 'c', causationId: null, occurredAt: at(minute), schemaVersion: 1 });
const queue: AnnotationQueueCreatedData = {
  queueId: 'queue-0001',
  workloadId: 'support-bot',
  name: 'weekly',
  metricIds: ['support-bot.tone'],
  filter: { nodeType: null, model: null, from: null, to: null },
  stratifyBy: 'none',
  sampleSize: 2,
  labelsPerItem: 1,
  items: [
    { interactionId: 'i-1', stratum: 'all', interactionOccurredAt: at(0) },
    { interactionId: 'i-2', stratum: 'all', interactionOccurredAt: at(0) },
  ],
};
const created = decide({ type: 'CreateQueue', queue, metadata: meta(0) }, initialState);
const claim = (minute: number, annotator = 'key:ann1'): QueueCommand => ({ type: 'ClaimNext', annotator, leaseMs: 5 * 60_000, metadata: meta(minute, annotator) });
const label = (minute: number, interactionId = 'i-1', annotator = 'key:ann1', metricId = 'support-bot.tone'): QueueCommand => ({
  type: 'SubmitLabels',
  annotator,
  interactionId,
  labels: [{ metricId, pass: true, note: ' clear ' }],
  metricVersions: new Map([['support-bot.tone', 3]]),
  metadata: meta(minute, annotator),
});
const spec = deciderSpec({ decide, evolve, initialState });
const run = (history: readonly NewDomainEvent[], command: QueueCommand) => decide(command, history.reduce(evolve, initialState));

describe('annotation queue decider', () => {
  it('given a queue, when an annotator claims, then the first item with a lease; claiming again serves the same claim', () => {
    const claimed = run(created, claim(1));
    expect(claimed).toEqual([expect.objectContaining({ type: 'AnnotationItemClaimed', data: expect.objectContaining({ interactionId: 'i-1', leaseExpiresAt: at(6) }) })]);
    spec.given([...created, ...claimed]).when(claim(2)).then([]);
    // Another annotator gets the next item while i-1 is held.
    expect(run([...created, ...claimed], claim(2, 'key:ann2'))[0]?.data).toMatchObject({ interactionId: 'i-2' });
  });

  it('given a claim, when labelled, then LabelSubmitted with the time to label and a human MetricEvaluated under the current metric version', () => {
    const claimed = run(created, claim(1));
    const labelled = run([...created, ...claimed], label(3));
    expect(labelled.map((e) => e.type)).toEqual(['LabelSubmitted', 'MetricEvaluated']);
    expect(labelled[0]?.data).toMatchObject({ timeToLabelMs: 3 * 60_000, labels: [{ metricVersion: 3, note: 'clear' }] });
    expect(labelled[1]?.data).toMatchObject({ pass: true, metricVersion: 3, evaluator: { kind: 'human', id: 'key:ann1', version: 'label-v1' }, timeToLabelMs: 180_000 });
    // Labelled items are not served again; with both done, nothing is left.
    const skipped = run([...created, ...claimed, ...labelled, ...run([...created, ...claimed, ...labelled], claim(4))], { type: 'SkipItem', annotator: 'key:ann1', interactionId: 'i-2', reason: 'unclear', metadata: meta(5) });
    expect(skipped[0]?.type).toBe('AnnotationItemSkipped');
  });

  it('when the lease has expired, then the label is refused and the item goes to someone else', () => {
    const claimed = run(created, claim(1));
    spec.given([...created, ...claimed]).when(label(7)).thenThrows(ClaimNotHeld);
    expect(run([...created, ...claimed], claim(7, 'key:ann2'))[0]?.data).toMatchObject({ interactionId: 'i-1', annotator: 'key:ann2' });
  });

  it('refuses labels without a claim, for other metrics, and claims when nothing is left', () => {
    spec.given(created).when(label(1)).thenThrows(ClaimNotHeld);
    const claimed = run(created, claim(1));
    spec.given([...created, ...claimed]).when(label(2, 'i-1', 'key:ann1', 'support-bot.other')).thenThrows(InputInvalid);
    const both = [...created, ...claimed, ...run([...created, ...claimed], claim(2, 'key:ann2'))];
    spec.given(both).when(claim(3, 'key:ann3')).thenThrows(NothingToClaim);
  });

  it('with two labels per item, serves each item to two annotators (human-vs-human agreement)', () => {
    const two = decide({ type: 'CreateQueue', queue: { ...queue, labelsPerItem: 2 }, metadata: meta(0) }, initialState);
    const first = run(two, claim(1));
    expect(run([...two, ...first], claim(1, 'key:ann2'))[0]?.data).toMatchObject({ interactionId: 'i-1' });
  });
});

describe('stratified sampling', () => {
  const candidates = [
    ...Array.from({ length: 80 }, (_, i) => ({ interactionId: `a-${i}`, stratum: 'gpt-4o', occurredAt: at(0) })),
    ...Array.from({ length: 18 }, (_, i) => ({ interactionId: `b-${i}`, stratum: 'gpt-4o-mini', occurredAt: at(0) })),
    ...Array.from({ length: 2 }, (_, i) => ({ interactionId: `c-${i}`, stratum: 'local', occurredAt: at(0) })),
  ];

  it('allocates in proportion, keeps small strata, adds up to the size and repeats for the same seed', () => {
    const sample = stratifiedSample(candidates, 10, 'seed');
    const count = (s: string) => sample.filter((c) => c.stratum === s).length;
    expect(sample).toHaveLength(10);
    expect(count('gpt-4o')).toBe(8);
    expect(count('local')).toBe(1);
    expect(stratifiedSample(candidates, 10, 'seed')).toEqual(sample);
    expect(stratifiedSample(candidates, 10, 'other')).not.toEqual(sample);
    expect(stratifiedSample(candidates.slice(0, 3), 10, 'seed')).toHaveLength(3);
  });
});
