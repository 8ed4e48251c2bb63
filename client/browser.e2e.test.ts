import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { build } from 'esbuild';
import { chromium, type Browser } from 'playwright-core';
import { startServer, type RunningServer } from '../app/server';
import { LogInteractionDocument } from '../graph/generated/operations';
import { silentLogger } from '../lib/logger';
import { describeIf } from '../test/describe-if';
import { logInput } from '../test/graph-input';
import { startTestApp, type TestApp } from '../test/http';

const CHROMIUM = '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

describeIf(existsSync(CHROMIUM), 'the SDK in headless Chromium', `${CHROMIUM} is missing (apt-get install -y chromium)`, () => {
  let t: TestApp;
  let api: RunningServer;
  let pages: Server;
  let pagesUrl: string;
  let browser: Browser;
  const configs = new Map<string, { interactionId: string; token: string; flushMs: number }>();

  beforeAll(async () => {
    t = await startTestApp();
    api = await startServer(t.app, { port: 0, host: '127.0.0.1', logger: silentLogger });
    // The SDK as a page gets it: one script, bundled from client/ as it is.
    const bundle = await build({
      entryPoints: [join(__dirname, 'index.ts')],
      bundle: true,
      write: false,
      format: 'iife',
      globalName: 'Flywheel',
      platform: 'browser',
      target: 'es2020',
    });
    const sdk = bundle.outputFiles[0]?.text ?? '';
    // The app's page, on another origin than the API, as in production.
    pages = createServer((req, res) => {
      if (req.url === '/sdk.js') {
        res.writeHead(200, { 'content-type': 'text/javascript' }).end(sdk);
        return;
      }
      const config = configs.get((req.url ?? '/').slice(1));
      if (!config) {
        res.writeHead(404).end();
        return;
      }
      const cfg = JSON.stringify({ ...config, endpoint: api.url });
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(`<!doctype html>
<html><body>
<p id="answer">It ships today from our Berlin warehouse.</p>
<button id="up">👍</button> <button id="down">👎</button>
<script src="/sdk.js"></script>
<script>
  const cfg = ${cfg};
  const client = new Flywheel.FlywheelClient({ endpoint: cfg.endpoint, flushIntervalMs: cfg.flushMs });
  const feedback = client.feedback(cfg.interactionId, cfg.token);
  document.getElementById('up').addEventListener('click', () => feedback.thumbsUp());
  document.getElementById('down').addEventListener('click', () => feedback.thumbsDown({ comment: 'wrong warehouse' }));
  Flywheel.trackCopy(document.getElementById('answer'), feedback);
  Flywheel.flushOnPageHide(client);
  window.ready = true;
</script>
</body></html>`);
    });
    await new Promise<void>((resolve) => pages.listen(0, '127.0.0.1', resolve));
    const { port } = pages.address() as AddressInfo;
    pagesUrl = `http://127.0.0.1:${port}`;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS, headless: true });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => pages?.close(resolve));
    await api?.close();
    await t?.close();
  });

  async function interaction(id: string, flushMs: number): Promise<string> {
    const { body } = await t.gql(LogInteractionDocument, { input: logInput({ workloadId: 'browser', id }) });
    const result = body.data?.logInteraction;
    if (result?.__typename !== 'InteractionAccepted') throw new Error(JSON.stringify(body));
    configs.set(id, { interactionId: id, token: result.feedbackToken, flushMs });
    return `${pagesUrl}/${id}`;
  }

  async function signalsArrive(id: string, expected: readonly string[], timeoutMs = 20_000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const events = await t.app.store.readStream(`interaction-${id}`);
      const signals = events.flatMap((e) => (e.type === 'SignalRecorded' ? [e.data] : []));
      if (expected.every((type) => signals.some((s) => s.type === type)) || Date.now() > deadline) return signals;
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  it('a click on a thumbs button and a copy of the answer reach the server as signals', async () => {
    const page = await browser.newPage();
    await page.goto(await interaction('page-1', 50));
    await page.waitForFunction(() => Reflect.get(window, 'ready') === true);
    await page.click('#up');
    await page.evaluate(() => {
      const answer = document.getElementById('answer');
      const selection = document.getSelection();
      if (!answer || !selection) throw new Error('no answer on the page');
      const range = document.createRange();
      range.selectNodeContents(answer);
      selection.removeAllRanges();
      selection.addRange(range);
    });
    await page.keyboard.press('Control+C');
    const signals = await signalsArrive('page-1', ['thumbsUp', 'copied']);
    expect(signals).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ type: 'thumbsUp', source: 'client' }),
        expect.objectContaining({ type: 'copied', fraction: 1 }),
      ]),
    );
    const events = await t.app.store.readStream('interaction-page-1');
    expect(events.filter((e) => e.type === 'SignalRecorded').every((e) => e.metadata.actor === 'token:page-1')).toBe(true);
    await page.close();
  }, 30_000);

  it('a signal still queued when the tab closes goes out with sendBeacon', async () => {
    const page = await browser.newPage();
    // A flush interval of ten minutes: only the page-hide beacon can deliver it.
    await page.goto(await interaction('page-2', 600_000));
    await page.waitForFunction(() => Reflect.get(window, 'ready') === true);
    await page.click('#down');
    await page.close({ runBeforeUnload: true });
    const signals = await signalsArrive('page-2', ['thumbsDown']);
    expect(signals).toEqual([expect.objectContaining({ type: 'thumbsDown', comment: 'wrong warehouse' })]);
  }, 30_000);
});
