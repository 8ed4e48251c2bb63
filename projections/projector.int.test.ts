import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { catalogue, type DomainEvent } from '../events/catalogue';
import { SqliteEventStore } from '../events/sqlite/sqlite-event-store';
import { silentLogger } from '../lib/logger';
import { InProcessBus } from '../services/bus/in-process-bus';
import { publisherOn } from '../services/bus/bus';
import { readModelHash } from '../test/read-model-hash';
import { interactionLogged } from '../test/events';
import { SqliteReadStore } from './embedded/sqlite-read-store';
import { INTERACTIONS, interactionsProjection, interactionTopic, WORKLOADS, type WorkloadDoc } from './interactions';
import type { Projection } from './projection';
import { Projector } from './projector';
import type { ReadStore } from './read-store';

let dir: string;
let store: SqliteEventStore;
let readStore: SqliteReadStore;
let bus: InProcessBus;
const projectors: Projector[] = [];

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'flywheel-projector-'));
  store = await SqliteEventStore.open({ path: join(dir, 'events.db'), pollIntervalMs: 50 });
  readStore = SqliteReadStore.open({ path: join(dir, 'read.db') });
  bus = new InProcessBus();
});

afterEach(async () => {
  for (const p of projectors.splice(0)) await p.stop();
  await store.close();
  await readStore.close();
  await bus.close();
  rmSync(dir, { recursive: true, force: true });
});

function projector(projections: readonly Projection[] = [interactionsProjection], rs: ReadStore = readStore): Projector {
  const p = new Projector({ store, readStore: rs, publish: publisherOn(bus), parser: catalogue, projections, logger: silentLogger, batchSize: 200 });
  projectors.push(p);
  return p;
}

async function logInteractions(count: number, workloadId = 'support-bot'): Promise<number> {
  let position = -1;
  await Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const event = interactionLogged({ workloadId }, new Date(Date.UTC(2026, 10, 26, 0, 0, i)).toISOString());
      if (event.type !== 'InteractionLogged') throw new Error('unexpected');
      const result = await store.append(`interaction-${event.data.interactionId}`, [event], { expectedRevision: 'no_stream' });
      position = Math.max(position, result.position);
    }),
  );
  return position;
}


describe('projector', () => {
  it('given stored events, when started, then it catches up and goes on live', async () => {
    await logInteractions(120);
    const p = projector();
    await p.start();
    const head = await logInteractions(80);
    await p.waitFor(head);
    expect(await readStore.count(INTERACTIONS, {})).toBe(200);
    expect(await readStore.findById<WorkloadDoc>(WORKLOADS, 'support-bot')).toMatchObject({ interactions: 200 });
    expect(p.status()).toEqual([{ name: 'interactions', running: true, checkpoint: head }]);
    expect(await readStore.getCheckpoint('interactions')).toBe(head);
  });

  it('yields the event loop between catch-up batches, so a timer runs before the backlog is done', async () => {
    const head = await logInteractions(3000);
    const p = projector();
    await p.start();
    // With the loop resolving in microtasks only, this timer would fire after the last batch.
    const seenByTimer = await new Promise<number>((resolve) => setTimeout(() => resolve(p.status()[0]?.checkpoint ?? -1), 0));
    expect(seenByTimer).toBeLessThan(head);
    await p.waitFor(head);
  });

  it('publishes after commit: when the notification arrives the document is readable', async () => {
    const p = projector();
    await p.start();
    const subscription = bus.subscribe<{ interactionId: string }>(interactionTopic('hr'));
    await logInteractions(5, 'hr');
    let seen = 0;
    for await (const message of subscription) {
      expect(await readStore.findById(INTERACTIONS, message.interactionId)).not.toBeNull();
      if (++seen === 5) break;
    }
    await subscription.close();
  });

  it('resumes from its checkpoint after a restart without applying anything twice', async () => {
    const first = projector();
    await first.start();
    await first.waitFor(await logInteractions(50));
    await first.stop();
    const head = await logInteractions(30);
    const second = projector();
    await second.start();
    await second.waitFor(head);
    expect(await readStore.findById<WorkloadDoc>(WORKLOADS, 'support-bot')).toMatchObject({ interactions: 80 });
  });

  it('rebuild drops the read model and replays it to documents that hash equal to the live ones', async () => {
    const p = projector();
    await p.start();
    await p.waitFor(await logInteractions(300));
    await p.waitFor(await logInteractions(100, 'other'));
    const live = await readModelHash(readStore, [INTERACTIONS, WORKLOADS]);
    const result = await p.rebuild('interactions');
    expect(result.events).toBe(400);
    expect(await readModelHash(readStore, [INTERACTIONS, WORKLOADS])).toBe(live);
    // and it is live again afterwards
    await p.waitFor(await logInteractions(1));
    expect(await readStore.count(INTERACTIONS, {})).toBe(401);
  });

  it('parks an event its handler keeps failing on, goes on, and applies it on retry once fixed', async () => {
    let broken = true;
    const attempts: string[] = [];
    const fragile: Projection = {
      ...interactionsProjection,
      name: 'fragile',
      collections: [{ name: 'fragile_interactions', indexes: [] }],
      project(event: DomainEvent) {
        if (event.type !== 'InteractionLogged') return [];
        if (broken && event.data.workloadId === 'poison') {
          attempts.push(event.id);
          throw new Error('cannot handle poison');
        }
        return [{ op: 'replace', collection: 'fragile_interactions', id: event.data.interactionId, doc: { w: event.data.workloadId } }];
      },
      notify: undefined,
    };
    const p = projector([fragile]);
    await p.start();
    await logInteractions(3);
    await logInteractions(1, 'poison');
    await p.waitFor(await logInteractions(3));
    expect(await readStore.count('fragile_interactions', {})).toBe(6);
    const parked = await p.listParked('fragile');
    expect(parked).toHaveLength(1);
    expect(parked[0]).toMatchObject({ projection: 'fragile', eventType: 'InteractionLogged', error: 'cannot handle poison', attempts: 3 });
    expect(attempts).toHaveLength(3);

    broken = false;
    const position = parked[0]?.position ?? -1;
    expect(await p.retryParked('fragile', position)).toBe('applied');
    expect(await p.listParked('fragile')).toHaveLength(0);
    expect(await readStore.count('fragile_interactions', { w: 'poison' })).toBe(1);
    expect(await p.retryParked('fragile', position)).toBe('not-found');
  });

  it('parks a stored event that no longer fits its schema instead of stopping', async () => {
    const p = projector();
    await p.start();
    // Written through the raw store, which knows envelopes but not schemas.
    await store.append(`interaction-${randomUUID()}`, [
      {
        id: randomUUID(),
        type: 'InteractionLogged',
        data: { interactionId: 'broken' },
        metadata: { correlationId: 'c', causationId: null, actor: 'test', occurredAt: new Date().toISOString(), schemaVersion: 1 },
      },
    ]);
    await p.waitFor(await logInteractions(2));
    expect(await readStore.count(INTERACTIONS, {})).toBe(2);
    const parked = await p.listParked();
    expect(parked).toHaveLength(1);
    expect(parked[0]).toMatchObject({ errorName: 'InvalidEvent', projection: 'interactions' });
  });

  it('given a read model renamed (or split), when started on the old data, then it goes on from the former checkpoint, and a rebuild still replays', async () => {
    const legacy: Projection = { ...interactionsProjection, name: 'interactions-v0' };
    const before = projector([legacy]);
    await before.start();
    const head = await logInteractions(3);
    await before.waitFor(head);
    await before.stop();

    let documentWrites = 0;
    const counting: ReadStore = Object.assign(Object.create(readStore), {
      apply: (operations: Parameters<ReadStore['apply']>[0], options: Parameters<ReadStore['apply']>[1]) => {
        documentWrites += operations.length;
        return readStore.apply(operations, options);
      },
    });
    const renamed: Projection = { ...interactionsProjection, formerly: ['interactions-v0'] };
    const splitOff: Projection = { ...interactionsProjection, name: 'interactions-split', formerly: ['interactions-v0'] };
    const after = projector([renamed, splitOff], counting);
    await after.start();
    await after.waitFor(head);
    expect(after.status().map((s) => [s.name, s.checkpoint])).toEqual([
      ['interactions', head],
      ['interactions-split', head],
    ]);
    expect(documentWrites).toBe(0);
    expect(await readStore.getCheckpoint('interactions-v0')).toBeNull();
    expect(await readStore.count(INTERACTIONS, {})).toBe(3);

    const next = await logInteractions(1);
    await after.waitFor(next);
    expect(await readStore.count(INTERACTIONS, {})).toBe(4);
    // The former checkpoint is gone, so a rebuild replays the whole log instead of adopting it again.
    expect((await after.rebuild('interactions')).events).toBe(4);
  });
});
