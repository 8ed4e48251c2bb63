import { FeedbackCoverageDocument, LatencyBiasDocument, OutcomeCalibrationDocument } from '../../graph/generated/operations';
import { recordSignalInputSchema } from '../../services/feedback/commands';
import { silentLogger } from '../../lib/logger';
import { startTestApp, TEST_ADMIN_KEY, type TestApp } from '../../test/http';
import { startServer, type RunningServer } from '../server';
import { runDemo } from './main';
import { demoSignals } from './signals';
import { demoTraffic } from './traffic';
import { settled } from '../../test/settle';

describe('demo feedback', () => {
  it('is repeatable and valid input for recordSignal, on user-facing answers only', () => {
    const traffic = [...demoTraffic({ count: 300, seed: 3, start: new Date('2026-01-01T00:00:00Z') })];
    const ids = traffic.map((_, i) => `i-${i}`);
    const signals = demoSignals(traffic, ids, 3);
    expect(demoSignals(traffic, ids, 3)).toEqual(signals);
    for (const s of signals) expect(recordSignalInputSchema.safeParse(s).error).toBeUndefined();
    const types = new Set(signals.map((s) => s.type));
    for (const type of ['thumbsUp', 'thumbsDown', 'copied', 'stopped', 'regenerated', 'edited', 'adopted']) expect(types).toContain(type);
    const classifierIds = new Set(traffic.flatMap((t, i) => (t.pipeline?.nodeType === 'classifier' ? [`i-${i}`] : [])));
    expect(signals.some((s) => classifierIds.has(s.interactionId))).toBe(false);
  });

  describe('through the API', () => {
    let t: TestApp;
    let server: RunningServer;
    beforeAll(async () => {
      t = await startTestApp();
      server = await startServer(t.app, { port: 0, host: '127.0.0.1', logger: silentLogger });
    });
    afterAll(async () => {
      await server.close();
      await t.close();
    });

    it('gives calibration and both bias reports something to find', async () => {
      const result = await runDemo({ url: server.url, key: TEST_ADMIN_KEY, count: 600, batchSize: 100, seed: 42, signals: true, progress: () => undefined });
      expect(result.signals?.rejected).toBe(0);
      expect(result.signals?.accepted).toBeGreaterThan(150);
      await settled(t.app, 60_000);
      const calibration = await t.gql(OutcomeCalibrationDocument, { workloadId: 'support-bot' });
      expect(calibration.body.data?.outcomeCalibration).toMatchObject({ fitted: true });
      const copied = calibration.body.data?.outcomeCalibration.signals.find((s) => s.feature === 'copied');
      expect(copied?.goodRateWith).toBeGreaterThan(copied?.goodRateWithout ?? 1);
      const bias = await t.gql(LatencyBiasDocument, { workloadId: 'support-bot' });
      expect(bias.body.data?.latencyBias.rated).toBeGreaterThan(20);
      const coverage = await t.gql(FeedbackCoverageDocument, { workloadId: 'support-bot' });
      const report = coverage.body.data?.feedbackCoverage;
      const rate = (client: string) => report?.segments.find((s) => s.dimension === 'client' && s.value === client)?.rate ?? 0;
      expect(rate('web')).toBeGreaterThan(rate('ios'));
      // The detector found the traffic's "No, I meant…" turns.
      const corrected = await t.app.adapters.eventStore.readAll({ filter: { eventTypes: ['SignalRecorded'] }, maxCount: 10_000 });
      expect(corrected.events.some((e) => JSON.stringify(e.data).includes('"type":"corrected"'))).toBe(true);
    }, 120_000);
  });
});
