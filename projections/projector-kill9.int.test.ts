import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { catalogue } from '../events/catalogue';
import { SqliteEventStore } from '../events/sqlite/sqlite-event-store';
import { silentLogger } from '../lib/logger';
import { InProcessBus } from '../services/bus/in-process-bus';
import { publisherOn } from '../services/bus/bus';
import { readModelHash } from '../test/read-model-hash';
import { interactionLogged } from '../test/events';
import { SqliteReadStore } from './embedded/sqlite-read-store';
import { INTERACTIONS, interactionsProjection, WORKLOADS, type WorkloadDoc } from './interactions';
import { PARKED_COLLECTION } from './parked';
import { Projector } from './projector';
import type { ReadStore } from './read-store';

/**
 * Issue 2: a projector killed -9 in the middle of catching up resumes from its checkpoint and
 * ends with exactly the read model a rebuild from scratch produces: nothing applied twice
 * (counters), nothing skipped, because documents and checkpoint commit together.
 */
const EVENTS = 2_000;
const WORKLOADS_USED = ['support-bot', 'text-to-sql', 'summarise', 'classify', 'codegen'];
/** Small batches: many commits, so the kill lands between (or inside) one of them. */
const CHILD_BATCH = 20;

let dir: string;
let store: SqliteEventStore;
const closers: (() => Promise<void>)[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'flywheel-projector-kill9-'));
  store = await SqliteEventStore.open({ path: join(dir, 'events.db'), pollIntervalMs: 50 });
  // Given a few thousand interactions across a few workloads (so workload counters see every event).
  for (let offset = 0; offset < EVENTS; offset += 500) {
    await Promise.all(
      Array.from({ length: 500 }, async (_, j) => {
        const i = offset + j;
        const event = interactionLogged(
          { workloadId: WORKLOADS_USED[i % WORKLOADS_USED.length], conversationId: `conv-${i % 37}`, latencyMs: i },
          new Date(Date.UTC(2026, 10, 26, 0, 0, 0, i)).toISOString(),
        );
        if (event.type !== 'InteractionLogged') throw new Error('unexpected event');
        await store.append(`interaction-${event.data.interactionId}`, [event], { expectedRevision: 'no_stream' });
      }),
    );
  }
});

afterAll(async () => {
  for (const close of closers.splice(0).reverse()) await close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

function openReadStore(name: string): SqliteReadStore {
  const readStore = SqliteReadStore.open({ path: join(dir, name) });
  closers.push(() => readStore.close());
  return readStore;
}

function projector(readStore: ReadStore): Projector {
  const bus = new InProcessBus();
  const p = new Projector({ store, readStore, publish: publisherOn(bus), parser: catalogue, projections: [interactionsProjection], logger: silentLogger });
  closers.push(async () => {
    await p.stop();
    await bus.close();
  });
  return p;
}


/** Runs the fixture projector on `read.db` and kills it -9 once its checkpoint has passed `killAfter`. */
async function killMidCatchUp(readStore: ReadStore, head: number, killAfter: number): Promise<number> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(__dirname, 'projector-kill9.fixture.ts'), join(dir, 'events.db'), join(dir, 'read.db'), String(CHILD_BATCH)],
    { cwd: join(__dirname, '..'), stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child.once('exit', (code, signal) => resolve(signal ?? code)));
  const deadline = Date.now() + 40_000;
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`the fixture exited with ${child.exitCode}\n${stderr}`);
      if (Date.now() > deadline) throw new Error(`the fixture's checkpoint never passed ${killAfter}\n${stderr}`);
      const checkpoint = (await readStore.getCheckpoint(interactionsProjection.name)) ?? -1;
      if (checkpoint >= head) throw new Error('the fixture caught up before it could be killed: use more events or smaller batches');
      if (checkpoint >= killAfter) break;
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  } finally {
    child.kill('SIGKILL');
  }
  expect(await exited).toBe('SIGKILL');
  return (await readStore.getCheckpoint(interactionsProjection.name)) ?? -1;
}

it('given a projector killed -9 mid-catch-up, when another resumes on the same read store, then the read model equals a rebuild from scratch', async () => {
  const head = await store.headPosition();
  const crashed = openReadStore('read.db');

  const killedAt = await killMidCatchUp(crashed, head, Math.floor(head / 4));
  // The checkpoint had moved, and the catch-up was not finished.
  expect(killedAt).toBeGreaterThanOrEqual(Math.floor(head / 4));
  expect(killedAt).toBeLessThan(head);

  const resumed = projector(crashed);
  await resumed.start();
  expect(resumed.status()[0]?.checkpoint).toBe(killedAt);
  await resumed.waitFor(head);

  const fresh = openReadStore('read-fresh.db');
  const rebuilt = projector(fresh);
  await rebuilt.start();
  await rebuilt.waitFor(head);

  expect(await crashed.getCheckpoint(interactionsProjection.name)).toBe(head);
  expect(await crashed.count(INTERACTIONS, {})).toBe(EVENTS);
  const workloads = await crashed.find<WorkloadDoc>(WORKLOADS, {}, { sort: { _id: 1 }, limit: 100 });
  expect(workloads.docs.map((w) => [w._id, w.interactions])).toEqual(
    [...WORKLOADS_USED].sort().map((w) => [w, EVENTS / WORKLOADS_USED.length]),
  );
  expect(await crashed.count(PARKED_COLLECTION, {})).toBe(0);
  expect(await readModelHash(crashed, [INTERACTIONS, WORKLOADS])).toBe(await readModelHash(fresh, [INTERACTIONS, WORKLOADS]));
}, 60_000);
