import { interactionLogged, recorded } from '../test/events';
import { givenEvents } from '../test/projection-spec';
import { INTERACTIONS, interactionsProjection, interactionTopic, WORKLOADS, type InteractionDoc, type WorkloadDoc } from './interactions';

describe('interactions read model', () => {
  it('given one InteractionLogged, then one interaction document with its context, usage and answer', async () => {
    const event = recorded(
      interactionLogged({ interactionId: 'i-1', pipeline: { runId: 'run-1', nodeId: 'sql', nodeType: 'codegen' } }, '2026-11-26T09:00:00.000Z'),
      7,
    );
    const store = await givenEvents(interactionsProjection, [event]);
    const doc = await store.findById<InteractionDoc>(INTERACTIONS, 'i-1');
    expect(doc).toMatchObject({
      _id: 'i-1',
      workloadId: 'support-bot',
      clientId: 'web',
      model: 'gpt-4o-mini',
      promptTokens: 12,
      completionTokens: 5,
      totalTokens: 17,
      pipelineRunId: 'run-1',
      nodeId: 'sql',
      nodeType: 'codegen',
      responseMessage: { role: 'assistant', content: 'It ships today.' },
      finishReason: 'stop',
      occurredAt: '2026-11-26T09:00:00.000Z',
      position: 7,
      _position: 7,
    });
    await store.close();
  });

  it('given interactions in two workloads, then per-workload counts, first/last seen and models', async () => {
    const events = [
      recorded(interactionLogged({ workloadId: 'a', model: 'm1' }, '2026-11-26T10:00:00.000Z'), 1),
      recorded(interactionLogged({ workloadId: 'a', model: 'm2' }, '2026-11-26T08:00:00.000Z'), 2),
      recorded(interactionLogged({ workloadId: 'b', model: 'm1' }, '2026-11-26T09:00:00.000Z'), 3),
    ];
    const store = await givenEvents(interactionsProjection, events);
    expect(await store.findById<WorkloadDoc>(WORKLOADS, 'a')).toMatchObject({
      interactions: 2,
      firstSeenAt: '2026-11-26T08:00:00.000Z',
      lastSeenAt: '2026-11-26T10:00:00.000Z',
      models: ['m1', 'm2'],
    });
    expect(await store.findById<WorkloadDoc>(WORKLOADS, 'b')).toMatchObject({ interactions: 1 });
    await store.close();
  });

  it('given the same event twice, then it is counted once (position guard)', async () => {
    const event = recorded(interactionLogged({ workloadId: 'a' }), 5);
    const store = await givenEvents(interactionsProjection, [event, event]);
    expect(await store.findById<WorkloadDoc>(WORKLOADS, 'a')).toMatchObject({ interactions: 1 });
    expect(await store.count(INTERACTIONS, {})).toBe(1);
    await store.close();
  });

  it('notifies the workload topic with the interaction id', () => {
    const event = recorded(interactionLogged({ interactionId: 'i-9', workloadId: 'hr' }), 3);
    expect(interactionsProjection.notify?.(event)).toEqual([
      { topic: interactionTopic('hr'), message: { interactionId: 'i-9', workloadId: 'hr', position: 3 } },
    ]);
  });
});
