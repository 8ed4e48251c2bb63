import { annotationQueueTopic } from '../../projections/evaluation-annotation';
import { issueKey } from '../../test/api-keys';
import { watchBus } from '../../test/bus-watch';
import { subscribeSse } from '../../test/sse';
import { logInput } from '../../test/graph-input';
import { startTestApp, type TestApp } from '../../test/http';
import {
  AgreementReportDocument,
  AnnotationQueueChangedDocument,
  AnnotationQueueDocument,
  AnnotationQueuesDocument,
  ClaimAnnotationItemDocument,
  CreateAnnotationQueueDocument,
  DefineMetricDocument,
  LogInteractionsDocument,
  SkipAnnotationItemDocument,
  SubmitLabelsDocument,
} from '../generated/operations';
import { settled } from '../../test/settle';

let t: TestApp;
let ann1: string;
let ann2: string;
beforeAll(async () => {
  t = await startTestApp();
  await t.gql(DefineMetricDocument, { input: { workloadId: 'support-bot', name: 'Helpful', question: 'Does the answer help?' } });
  await t.gql(DefineMetricDocument, { input: { workloadId: 'support-bot', name: 'Clear', question: 'Is the answer easy to follow?' } });
  const inputs = Array.from({ length: 12 }, (_, i) =>
    logInput({ id: `ann-${i}`, workloadId: 'support-bot', promptVersionId: i < 9 ? 'support-v3' : 'support-v4', occurredAt: new Date(Date.now() - 3_600_000).toISOString() }),
  );
  const { body } = await t.gql(LogInteractionsDocument, { inputs });
  if (body.data?.logInteractions?.__typename !== 'LoggedInteractions') throw new Error(JSON.stringify(body));
  await settled(t.app);
  ann1 = (await issueKey(t, ['annotate', 'read'], { name: 'annotator one' })).key;
  ann2 = (await issueKey(t, ['annotate'], { name: 'annotator two' })).key;
});
afterAll(() => t.close());

async function createQueue(labelsPerItem: number, sampleSize = 4, metricId = 'support-bot.helpful') {
  const { body } = await t.gql(
    CreateAnnotationQueueDocument,
    { input: { workloadId: 'support-bot', name: `weekly ${labelsPerItem}`, metricIds: [metricId], stratifyBy: 'promptVersionId', sampleSize, labelsPerItem } },
    { key: ann1 },
  );
  const queue = body.data?.createAnnotationQueue;
  if (queue?.__typename !== 'AnnotationQueue') throw new Error(JSON.stringify(body));
  return queue;
}

async function claim(queueId: string, key: string, leaseSeconds?: number) {
  const result = (await t.gql(ClaimAnnotationItemDocument, { queueId, ...(leaseSeconds ? { leaseSeconds } : {}) }, { key })).body.data?.claimAnnotationItem;
  if (result?.__typename !== 'AnnotationClaim') throw new Error(JSON.stringify(result));
  return result;
}

describe('annotation queues over HTTP', () => {
  it('creates a stratified sample, serves claims with leases, takes labels and skips', async () => {
    const queue = await createQueue(1);
    expect(queue).toMatchObject({ itemCount: 4, stratifyBy: 'promptVersionId', labelsPerItem: 1 });
    expect(new Set(queue.items.map((i) => i.stratum))).toEqual(new Set(['support-v3', 'support-v4']));

    const first = await claim(queue.id, ann1);
    expect(first.interaction?.responseText).toBe('Try channel 1, 6 or 11.');
    expect(first.metrics.map((m) => m.id)).toEqual(['support-bot.helpful']);
    expect((await claim(queue.id, ann1)).interactionId).toBe(first.interactionId);
    const second = await claim(queue.id, ann2);
    expect(second.interactionId).not.toBe(first.interactionId);

    const labelled = await t.gql(SubmitLabelsDocument, { input: { queueId: queue.id, interactionId: first.interactionId, labels: [{ metricId: 'support-bot.helpful', pass: true, note: 'clear steps' }] } }, { key: ann1 });
    expect(labelled.body.data?.submitLabels).toMatchObject({ __typename: 'LabelsSubmitted', labels: 1 });
    const notMine = await t.gql(SubmitLabelsDocument, { input: { queueId: queue.id, interactionId: second.interactionId, labels: [{ metricId: 'support-bot.helpful', pass: true }] } }, { key: ann1 });
    expect(notMine.body.data?.submitLabels).toMatchObject({ __typename: 'ClaimNotHeld', expiredAt: null });
    const skipped = await t.gql(SkipAnnotationItemDocument, { queueId: queue.id, interactionId: second.interactionId, reason: 'no context' }, { key: ann2 });
    expect(skipped.body.data?.skipAnnotationItem).toMatchObject({ __typename: 'AnnotationItemSkipped' });

    await settled(t.app);
    const now = (await t.gql(AnnotationQueueDocument, { id: queue.id }, { key: ann1 })).body.data?.annotationQueue;
    expect(now).toMatchObject({ labels: 1, skips: 1, claims: 2 });
    expect((await t.gql(AnnotationQueuesDocument, { workloadId: 'support-bot' })).body.data?.annotationQueues.map((q) => q.id)).toContain(queue.id);
    const missing = (await t.gql(ClaimAnnotationItemDocument, { queueId: 'no-such-queue' }, { key: ann1 })).body.data?.claimAnnotationItem;
    expect(missing).toMatchObject({ __typename: 'AnnotationQueueNotFound' });
  });

  it('with two labels per item, two annotators label the same items: human-vs-human agreement and time to label', async () => {
    // Its own metric: a label is one per (metric, interaction, annotator), and this queue's random
    // sample may hold the item annotator one labelled above; on the same metric that label would
    // be replaced, and the count would depend on the draw.
    const queue = await createQueue(2, 2, 'support-bot.clear');
    for (const [key, verdicts] of [[ann1, [true, true]], [ann2, [true, false]]] as const) {
      for (const pass of verdicts) {
        const c = await claim(queue.id, key);
        const { body } = await t.gql(SubmitLabelsDocument, { input: { queueId: queue.id, interactionId: c.interactionId, labels: [{ metricId: 'support-bot.clear', pass }] } }, { key });
        expect(body.data?.submitLabels?.__typename).toBe('LabelsSubmitted');
      }
    }
    const nothing = (await t.gql(ClaimAnnotationItemDocument, { queueId: queue.id }, { key: ann1 })).body.data?.claimAnnotationItem;
    expect(nothing).toMatchObject({ __typename: 'NothingToClaim' });
    await settled(t.app);
    const report = (await t.gql(AgreementReportDocument, { metricId: 'support-bot.clear' })).body.data?.agreementReport;
    if (report?.__typename !== 'AgreementReport') throw new Error(JSON.stringify(report));
    expect(report.humanVsHuman.overall).toMatchObject({ pairs: 2, percentAgreement: 0.5 });
    expect(report.humanLabels).toBe(4);
  });

  it('streams the queue to a subscriber each time an item is claimed or labelled', async () => {
    const queue = await createQueue(1, 1);
    const bus = watchBus(t.app.adapters.bus);
    try {
      const sub = await subscribeSse(async (url, init) => t.app.yoga.fetch(url, init), 'http://localhost/graphql', AnnotationQueueChangedDocument, { queueId: queue.id }, { key: ann1 });
      await bus.subscribed(annotationQueueTopic(queue.id));
      const c = await claim(queue.id, ann2);
      expect((await sub.next()).data?.annotationQueueChanged).toMatchObject({ id: queue.id, claims: 1, labels: 0 });
      await t.gql(SubmitLabelsDocument, { input: { queueId: queue.id, interactionId: c.interactionId, labels: [{ metricId: 'support-bot.helpful', pass: true }] } }, { key: ann2 });
      expect((await sub.next()).data?.annotationQueueChanged).toMatchObject({ id: queue.id, labels: 1 });
      sub.abort();
    } finally {
      bus.restore();
    }
  });

  it('refuses a queue over metrics the workload does not have, and keys without the annotate scope', async () => {
    const bad = await t.gql(CreateAnnotationQueueDocument, { input: { workloadId: 'support-bot', name: 'x', metricIds: ['support-bot.nope'], sampleSize: 1 } }, { key: ann1 });
    expect(bad.body.data?.createAnnotationQueue).toMatchObject({ __typename: 'InputInvalid' });
    const reader = await issueKey(t, ['read']);
    expect((await t.gql(ClaimAnnotationItemDocument, { queueId: 'whatever' }, { key: reader.key })).status).toBe(403);
  });
});
