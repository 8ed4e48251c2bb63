import { interactionLogged, recorded } from '../test/events';
import { givenEvents } from '../test/projection-spec';
import { onStream, outcomeInferred, signalRecorded, thumbs } from '../services/feedback/test-fixtures';
import { FEEDBACK_DAILY, feedbackDailyProjection, type DailyDoc } from './feedback-daily';
import { FEEDBACK_FACTS, feedbackFactsProjection, type FactDoc } from './feedback-facts';
import { FEEDBACK_SIGNALS, feedbackSignalsProjection, signalTopic, type SignalDoc } from './feedback-signals';
import { labelledExamples } from '../services/feedback/reports';
import { outcomeTopic } from './feedback-interactions';
import { INTERACTIONS, interactionsProjection, type InteractionDoc } from './interactions';

/** The feedback feature's three read models, kept side by side as the projector keeps them. */
const feedbackProjections = [feedbackSignalsProjection, feedbackDailyProjection, feedbackFactsProjection];

const logged = recorded(
  interactionLogged(
    { interactionId: 'i-1', clientId: 'ios', request: { model: 'm', messages: [{ role: 'user', content: '¿Dónde está mi pedido?' }] } },
    '2026-11-26T23:59:00.000Z',
  ),
  1,
);
const at = { interactionAt: '2026-11-26T23:59:00.000Z', occurredAt: '2026-11-27T00:01:00.000Z' };
const copy = onStream(signalRecorded({ signalId: 's-1', interactionId: 'i-1', source: 'client', type: 'copied', fraction: 0.5 }, at), 'i-1', 2, 1);
const up = onStream(signalRecorded(thumbs('i-1', true, 's-2'), at), 'i-1', 3, 2);
const speedDown = onStream(signalRecorded(thumbs('i-1', false, 's-3', 'speed'), at), 'i-1', 4, 3);
const good = onStream(outcomeInferred({ interactionId: 'i-1', signalId: 's-2', outcome: 'good', confidence: 0.95 }), 'i-1', 5, 4);
const bad = onStream(outcomeInferred({ interactionId: 'i-1', signalId: 's-3', outcome: 'bad', previousOutcome: 'good', confidence: 0.8 }), 'i-1', 6, 5);
const regen = onStream(
  signalRecorded({ signalId: 's-4', interactionId: 'i-1', source: 'client', type: 'regenerated', replacementInteractionId: 'i-2' }, at),
  'i-1',
  8,
  6,
);
const replacement = recorded(interactionLogged({ interactionId: 'i-2' }, '2026-11-27T00:00:30.000Z'), 7);

describe('feedback read model', () => {
  it('given signals, then one document per signal with its type-specific fields', async () => {
    const store = await givenEvents(feedbackProjections, [logged, copy, up]);
    expect(await store.findById<SignalDoc>(FEEDBACK_SIGNALS, 'i-1:s-1')).toMatchObject({
      interactionId: 'i-1',
      type: 'copied',
      fraction: 0.5,
      dimension: null,
      workloadId: 'support-bot',
      occurredAt: '2026-11-27T00:01:00.000Z',
      position: 2,
    });
    expect(await store.count(FEEDBACK_SIGNALS, { interactionId: 'i-1' })).toBe(2);
    await store.close();
  });

  it('given an interaction and its signals, then its facts: segments, features, thumbs by dimension and outcome', async () => {
    const store = await givenEvents(feedbackProjections, [logged, copy, up, speedDown, good]);
    expect(await store.findById<FactDoc>(FEEDBACK_FACTS, 'i-1')).toMatchObject({
      clientId: 'ios',
      language: 'es',
      queryLength: 'short',
      latencyMs: 640,
      features: { copied: 0.5, thumbsUp: 1, thumbsDown: 0 },
      thumbs: { up: 1, down: 0 },
      speedThumbs: { up: 0, down: 1 },
      lastThumb: 'up',
      signals: 3,
      outcome: 'good',
      confidence: 0.95,
    });
    await store.close();
  });

  it("given signals after midnight on an interaction before it, then they count on the interaction's day, outcomes move", async () => {
    const store = await givenEvents(feedbackProjections, [logged, copy, up, speedDown, good, bad]);
    expect(await store.findById<DailyDoc>(FEEDBACK_DAILY, 'support-bot:2026-11-26')).toMatchObject({
      workloadId: 'support-bot',
      day: '2026-11-26',
      interactions: 1,
      signals: { copied: 1, thumbsUp: 1, thumbsDown: 1 },
      outcomes: { good: 0, bad: 1 },
    });
    expect(await store.findById(FEEDBACK_DAILY, 'support-bot:2026-11-27')).toBeNull();
    await store.close();
  });

  it("given people's metric results (not a judge's), then the facts carry them as labels, and calibration prefers them", async () => {
    const evaluated = (pass: boolean, kind: 'human' | 'judge', position: number) =>
      onStream(
        {
          id: `00000000-0000-4000-8000-00000000000${position}`,
          type: 'MetricEvaluated',
          data: {
            metricId: 'cites-manual',
            metricVersion: 1,
            workloadId: 'support-bot',
            interactionId: 'i-1',
            nodeType: null,
            pipelineRunId: null,
            pass,
            rationale: null,
            evaluator: { kind, id: kind === 'human' ? 'key:annotator' : 'gpt-4o', version: '1' },
            interactionOccurredAt: '2026-11-26T23:59:00.000Z',
            timeToLabelMs: kind === 'human' ? 60_000 : null,
            costUsd: null,
          },
          metadata: { correlationId: 'c', causationId: null, actor: 'key:annotator', occurredAt: '2026-11-27T09:00:00.000Z', schemaVersion: 1 },
        },
        'i-1',
        position,
        position,
      );
    const store = await givenEvents(feedbackProjections, [logged, up, evaluated(true, 'human', 4), evaluated(false, 'human', 5), evaluated(true, 'judge', 6)]);
    const facts = await store.findById<FactDoc>(FEEDBACK_FACTS, 'i-1');
    expect(facts?.humanLabels).toEqual({ pass: 1, fail: 1 });
    expect(facts ? labelledExamples([facts]) : []).toEqual([expect.objectContaining({ good: false, source: 'human' })]);
    await store.close();
  });

  it('given the same events twice, then everything is counted once', async () => {
    const store = await givenEvents(feedbackProjections, [logged, copy, copy, good, good]);
    expect(await store.findById<DailyDoc>(FEEDBACK_DAILY, 'support-bot:2026-11-26')).toMatchObject({ signals: { copied: 1 }, outcomes: { good: 1 } });
    await store.close();
  });

  it('notifies the workload topic of each signal, after the commit', () => {
    expect(feedbackSignalsProjection.notify?.(copy)).toEqual([{ topic: signalTopic('support-bot'), message: { id: 'i-1:s-1', interactionId: 'i-1', position: 2 } }]);
  });
});

describe('interactions read model: feedback summary', () => {
  it('given signals and outcomes, then the interaction carries its signal counts, types and latest outcome', async () => {
    const store = await givenEvents(interactionsProjection, [logged, copy, up, speedDown, good, bad]);
    expect(await store.findById<InteractionDoc>(INTERACTIONS, 'i-1')).toMatchObject({
      signals: { copied: 1, thumbsUp: 1, thumbsDown: 1 },
      signalTypes: ['copied', 'thumbsUp', 'thumbsDown'],
      signalCount: 3,
      outcome: 'bad',
      outcomeConfidence: 0.8,
    });
    await store.close();
  });

  it('given a regeneration, then both interactions are linked', async () => {
    const store = await givenEvents(interactionsProjection, [logged, replacement, regen]);
    expect(await store.findById<InteractionDoc>(INTERACTIONS, 'i-1')).toMatchObject({ replacedBy: 'i-2', signalTypes: ['regenerated'] });
    expect(await store.findById<InteractionDoc>(INTERACTIONS, 'i-2')).toMatchObject({ replaces: 'i-1' });
    await store.close();
  });

  it('notifies the workload topic when an outcome changes', () => {
    expect(interactionsProjection.notify?.(bad)).toEqual([
      { topic: outcomeTopic('support-bot'), message: { interactionId: 'i-1', outcome: 'bad', previousOutcome: 'good', confidence: 0.8, position: 6 } },
    ]);
  });
});
