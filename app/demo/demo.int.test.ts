import { logInteractionInputSchema } from '../../services/ingest/commands';
import { silentLogger } from '../../lib/logger';
import { startTestApp, TEST_ADMIN_KEY, type TestApp } from '../../test/http';
import { startServer, type RunningServer } from '../server';
import { runDemo } from './main';
import { demoTraffic } from './traffic';
import { settled } from '../../test/settle';

describe('demo traffic', () => {
  it('is repeatable for a seed and valid input for logInteraction', () => {
    const a = [...demoTraffic({ count: 200, seed: 7, start: new Date('2026-01-01T00:00:00Z') })];
    const b = [...demoTraffic({ count: 200, seed: 7, start: new Date('2026-01-01T00:00:00Z') })];
    expect(a).toEqual(b);
    expect(a).toHaveLength(200);
    for (const item of a) expect(logInteractionInputSchema.safeParse(item).error).toBeUndefined();
    expect(new Set(a.map((i) => i.workloadId))).toEqual(new Set(['hr-assistant', 'support-bot', 'text-to-sql']));
    const nodeTypes = new Set(a.flatMap((i) => (i.pipeline ? [i.pipeline.nodeType] : [])));
    expect(nodeTypes).toEqual(new Set(['classifier', 'codegen', 'writer']));
    expect(a.some((i) => JSON.stringify(i.response).includes('tool_calls'))).toBe(true);
  });

  describe('npm run demo against a real server', () => {
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

    it('logs every interaction through the API, with progress', async () => {
      const ticks: number[] = [];
      const result = await runDemo({ url: server.url, key: TEST_ADMIN_KEY, count: 120, batchSize: 50, seed: 1, progress: (done) => ticks.push(done) });
      expect(result).toEqual({ accepted: 120, rejected: 0, workloads: ['hr-assistant', 'support-bot', 'text-to-sql'] });
      expect(ticks).toEqual([50, 100, 120]);
      await settled(t.app);
      const total = await t.app.adapters.readStore.count('interactions', {});
      expect(total).toBe(120);
    });
  });
});
