import { outcomeTopic } from '../../projections/feedback-interactions';
import { signalTopic } from '../../projections/feedback-signals';
import { issueKey } from '../../test/api-keys';
import { watchBus } from '../../test/bus-watch';
import { logInput } from '../../test/graph-input';
import { startTestApp, TEST_ADMIN_KEY, type TestApp } from '../../test/http';
import { subscribeSse, type Fetch } from '../../test/sse';
import {
  CalibrateOutcomeWeightsDocument,
  FeedbackCoverageDocument,
  FeedbackTimelineDocument,
  InteractionFeedbackDocument,
  InteractionsByFeedbackDocument,
  LatencyBiasDocument,
  LogInteractionsDocument,
  OutcomeCalibrationDocument,
  OutcomeChangedDocument,
  OutcomeWeightsDocument,
  RecordSignalDocument,
  RecordSignalsDocument,
  SetOutcomeWeightsDocument,
  SignalRecordedDocument,
  type LogInteractionInput,
  type RecordSignalInput,
} from '../generated/operations';
import { settled } from '../../test/settle';

let t: TestApp;
const inProcess: Fetch = async (url, init) => t.app.yoga.fetch(url, init);

/**
 * 80 interactions of workload `rep`: good answers are copied, bad ones stopped; a quarter get a
 * thumb, fast answers more often approved; web users give feedback, mobile ones rarely.
 */
async function seed(): Promise<void> {
  const inputs: LogInteractionInput[] = Array.from({ length: 80 }, (_, i) => ({
    ...logInput({ workloadId: 'rep', id: `rep-${i}`, conversationId: `rep-conv-${i}` }),
    clientId: i % 4 === 0 ? 'web' : 'ios',
    latencyMs: 200 + (i % 10) * 200,
    occurredAt: new Date(Date.UTC(2026, 0, 1 + (i % 2), 12)).toISOString(),
  }));
  const logged = await t.gql(LogInteractionsDocument, { inputs });
  if (logged.body.data?.logInteractions.__typename !== 'LoggedInteractions') throw new Error(JSON.stringify(logged.body));
  const signals: RecordSignalInput[] = [];
  for (let i = 0; i < 80; i++) {
    const good = i % 3 !== 0;
    const interactionId = `rep-${i}`;
    signals.push(good ? { interactionId, type: 'copied', fraction: 1 } : { interactionId, type: 'stopped', tokensReceived: 20 });
    if (i % 4 === 0 || i % 10 === 1) {
      const fast = i % 10 < 5;
      signals.push({ interactionId, type: good || fast ? 'thumbsUp' : 'thumbsDown' });
    }
  }
  const recorded = await t.gql(RecordSignalsDocument, { inputs: signals });
  if (recorded.body.data?.recordSignals.__typename !== 'RecordedSignals') throw new Error(JSON.stringify(recorded.body));
  await settled(t.app);
}

beforeAll(async () => {
  t = await startTestApp();
  await seed();
});
afterAll(() => t.close());

describe('feedback read models over HTTP', () => {
  it('shows an interaction with its signal summary, signals and triangulated outcome', async () => {
    const { body } = await t.gql(InteractionFeedbackDocument, { id: 'rep-4' });
    expect(body.data?.interaction).toMatchObject({
      signalSummary: { total: 2, types: ['copied', 'thumbsUp'] },
      outcome: { outcome: 'good' },
      signals: [{ type: 'copied' }, { type: 'thumbsUp' }],
    });
    expect(body.data?.interaction?.signalSummary.counts.find((c) => c.type === 'copied')?.count).toBe(1);
  });

  it('filters interactions by outcome and by signal type', async () => {
    const bad = await t.gql(InteractionsByFeedbackDocument, { filter: { workloadId: 'rep', outcome: 'bad' }, first: 100 });
    const badIds = bad.body.data?.interactions.edges.map((e) => e.node.id) ?? [];
    expect(badIds.length).toBeGreaterThan(0);
    expect(bad.body.data?.interactions.edges.every((e) => e.node.outcome?.outcome === 'bad')).toBe(true);
    const stopped = await t.gql(InteractionsByFeedbackDocument, { filter: { workloadId: 'rep', signalType: 'stopped' }, first: 100 });
    const edges = stopped.body.data?.interactions.edges ?? [];
    expect(edges).toHaveLength(27);
    expect(edges.every((e) => e.node.signalSummary.types.includes('stopped'))).toBe(true);
  });

  it('answers per-day counts of every signal type and outcome over a time range', async () => {
    const { body } = await t.gql(FeedbackTimelineDocument, { workloadId: 'rep', from: '2026-01-01T00:00:00Z', to: '2026-01-03T00:00:00Z' });
    const days = body.data?.feedback ?? [];
    expect(days.map((d) => [d.day, d.interactions])).toEqual([
      ['2026-01-01', 40],
      ['2026-01-02', 40],
    ]);
    const count = (type: string) => days.reduce((n, d) => n + (d.signals.find((s) => s.type === type)?.count ?? 0), 0);
    expect(count('copied') + count('stopped')).toBe(80);
    expect(days[0]?.signals).toHaveLength(10);
    const outcomes = days.reduce((n, d) => n + d.outcomes.good + d.outcomes.bad + d.outcomes.unknown, 0);
    expect(outcomes).toBe(80);
    const one = await t.gql(FeedbackTimelineDocument, { workloadId: 'rep', from: '2026-01-02T00:00:00Z', to: null });
    expect(one.body.data?.feedback.map((d) => d.day)).toEqual(['2026-01-02']);
  });
});

describe('bias reports and calibration over HTTP', () => {
  it('reports latency bias: ratings track speed where behaviour does not', async () => {
    const { body } = await t.gql(LatencyBiasDocument, { workloadId: 'rep' });
    const report = body.data?.latencyBias;
    expect(report?.rated).toBeGreaterThanOrEqual(20);
    expect(report?.correlation).toBeLessThan(0);
    expect(report?.bands.length).toBeGreaterThanOrEqual(3);
    expect(report?.summary).toEqual(expect.any(String));
  });

  it('reports coverage by segment, and how feedback givers differ from all traffic', async () => {
    const { body } = await t.gql(FeedbackCoverageDocument, { workloadId: 'rep' });
    const report = body.data?.feedbackCoverage;
    expect(report).toMatchObject({ interactions: 80, withExplicit: 28 });
    const web = report?.segments.find((s) => s.dimension === 'client' && s.value === 'web');
    const ios = report?.segments.find((s) => s.dimension === 'client' && s.value === 'ios');
    expect(web?.rate).toBe(1);
    expect(ios?.rate).toBeLessThan(0.2);
    expect(report?.shifts.find((s) => s.dimension === 'client')?.totalVariation).toBeGreaterThan(0.4);
    expect(report?.segments.some((s) => s.dimension === 'language' && s.value === 'en')).toBe(true);
  });

  it('calibrates weights against explicit feedback: a report (read), then recorded weights (admin)', async () => {
    const dry = await t.gql(OutcomeCalibrationDocument, { workloadId: 'rep' });
    expect(dry.body.data?.outcomeCalibration).toMatchObject({ labelled: 28, fitted: true, applied: false });
    const copied = dry.body.data?.outcomeCalibration.signals.find((s) => s.feature === 'copied');
    expect(copied?.weight).toBeGreaterThan(0);
    expect((await t.gql(OutcomeWeightsDocument, { workloadId: 'rep' })).body.data?.outcomeWeights).toMatchObject({ source: 'default', revision: -1 });

    const { key } = await issueKey(t, ['read']);
    expect((await t.gql(CalibrateOutcomeWeightsDocument, { workloadId: 'rep' }, { key })).status).toBe(403);
    const applied = await t.gql(CalibrateOutcomeWeightsDocument, { workloadId: 'rep' });
    expect(applied.body.data?.calibrateOutcomeWeights).toMatchObject({ applied: true });
    const now = await t.gql(OutcomeWeightsDocument, { workloadId: 'rep' });
    expect(now.body.data?.outcomeWeights).toMatchObject({ source: 'calibration', revision: 0 });
  });

  it('sets weights by hand (admin), refusing out-of-range values', async () => {
    const set = await t.gql(SetOutcomeWeightsDocument, { input: { workloadId: 'manual', threshold: 0.8, weights: [{ feature: 'copied', weight: 1.5 }] } });
    expect(set.body.data?.setOutcomeWeights).toMatchObject({ __typename: 'OutcomeWeights', source: 'manual', threshold: 0.8 });
    if (set.body.data?.setOutcomeWeights.__typename === 'OutcomeWeights') {
      expect(set.body.data.setOutcomeWeights.weights.find((w) => w.feature === 'copied')?.weight).toBe(1.5);
      expect(set.body.data.setOutcomeWeights.weights.find((w) => w.feature === 'stopped')?.weight).toBe(-0.8);
    }
    const bad = await t.gql(SetOutcomeWeightsDocument, { input: { workloadId: 'manual', threshold: 0.2 } });
    expect(bad.body.data?.setOutcomeWeights).toMatchObject({ __typename: 'InputInvalid', issues: [{ path: 'threshold' }] });
  });
});

describe('feedback subscriptions over SSE', () => {
  it('delivers each signal of the workload and each outcome change, after the read models have them', async () => {
    const bus = watchBus(t.app.adapters.bus);
    try {
      const signals = await subscribeSse(inProcess, 'http://localhost/graphql', SignalRecordedDocument, { workloadId: 'live' }, { key: TEST_ADMIN_KEY });
      const outcomes = await subscribeSse(inProcess, 'http://localhost/graphql', OutcomeChangedDocument, { workloadId: 'live' }, { key: TEST_ADMIN_KEY });
      await bus.subscribed(signalTopic('live'));
      await bus.subscribed(outcomeTopic('live'));
      await t.gql(LogInteractionsDocument, { inputs: [logInput({ workloadId: 'live', id: 'live-1' })] });
      await t.gql(RecordSignalDocument, { input: { interactionId: 'live-1', signalId: 'up', type: 'thumbsUp' } });
      expect((await signals.next()).data?.signalRecorded).toMatchObject({ interactionId: 'live-1', signalId: 'up', type: 'thumbsUp', source: 'client' });
      expect((await outcomes.next()).data?.outcomeChanged).toMatchObject({
        interactionId: 'live-1',
        outcome: 'good',
        previousOutcome: null,
        interaction: { id: 'live-1', workloadId: 'live' },
      });
      signals.abort();
      outcomes.abort();
    } finally {
      bus.restore();
    }
  });

  it('refuses a key restricted to other workloads', async () => {
    const { key } = await issueKey(t, ['read'], { workloadIds: ['rep'] });
    const denied = await subscribeSse(inProcess, 'http://localhost/graphql', SignalRecordedDocument, { workloadId: 'live' }, { key });
    const first = await denied.next();
    expect(first.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN' });
    expect((await t.gql(InteractionFeedbackDocument, { id: 'live-1' }, { key })).body.data?.interaction).toBeNull();
  });
});
