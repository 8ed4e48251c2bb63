import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { catalogue, type DomainEvent } from '../events/catalogue';
import type { NewEvent } from '../events/envelope';
import { SqliteEventStore } from '../events/sqlite/sqlite-event-store';
import { silentLogger } from '../lib/logger';
import { SqliteReadStore } from '../projections/embedded/sqlite-read-store';
import { PARKED_COLLECTION } from '../projections/parked';
import { interactionLogged } from '../test/events';
import { reactorCheckpoint, ReactorRunner, type Reactor, type ReactorContext } from './reactor';

let dir: string;
let store: SqliteEventStore;
let readStore: SqliteReadStore;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'flywheel-reactor-'));
  store = await SqliteEventStore.open({ path: join(dir, 'events.db') });
  readStore = SqliteReadStore.open({ path: join(dir, 'read.db') });
});
afterEach(async () => {
  await store.close();
  await readStore.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Notes every interaction of a workload on a stream of its own (a test-only derived event). */
function noter(calls: string[], failOn?: string): Reactor<NewEvent> {
  return {
    name: 'noter',
    eventTypes: new Set(['InteractionLogged']),
    async react(event: DomainEvent, context: ReactorContext) {
      if (event.type !== 'InteractionLogged') return [];
      calls.push(event.data.interactionId);
      if (event.data.workloadId === failOn) throw new Error('the judge is down');
      return [
        {
          stream: `note-${event.data.interactionId}`,
          events: [{ id: context.eventId('noted'), type: 'InteractionNoted', data: { of: event.id }, metadata: { ...context.metadata(), schemaVersion: 1 } }],
        },
      ];
    },
  };
}

async function logMany(count: number, workloadId = 'w'): Promise<number> {
  let head = -1;
  for (let i = 0; i < count; i++) {
    const event = interactionLogged({ workloadId, interactionId: `${workloadId}-${i}` });
    head = (await store.append(`interaction-${workloadId}-${i}`, [event])).position;
  }
  return head;
}

function runner(reactor: Reactor<NewEvent>): ReactorRunner {
  return new ReactorRunner(reactor, { store, parser: catalogue, readStore, logger: silentLogger, retryDelayMs: 1, maxAttempts: 3 });
}

describe('reactor runner', () => {
  it('given logged interactions, it appends one derived event per interaction, caused by it', async () => {
    const calls: string[] = [];
    const r = runner(noter(calls));
    await r.start();
    await r.waitFor(await logMany(5));
    await r.stop();
    const notes = await store.readAll({ filter: { eventTypes: ['InteractionNoted'] } });
    expect(notes.events).toHaveLength(5);
    const causes = await store.readAll({ filter: { eventTypes: ['InteractionLogged'] } });
    expect(notes.events.map((e) => e.metadata.causationId)).toEqual(causes.events.map((e) => e.id));
    expect(notes.events.every((e) => e.metadata.actor === 'system:noter')).toBe(true);
    // Saved with each handled event: the last cause is the checkpoint.
    expect(await readStore.getCheckpoint(reactorCheckpoint('noter'))).toBe(causes.events[4]?.position);
  });

  it('resumes from its checkpoint, and a full replay appends nothing twice', async () => {
    const calls: string[] = [];
    const first = runner(noter(calls));
    await first.start();
    await first.waitFor(await logMany(3));
    await first.stop();
    const second = runner(noter(calls));
    await second.start();
    await second.waitFor(await logMany(2, 'v'));
    await second.stop();
    expect(calls).toEqual(['w-0', 'w-1', 'w-2', 'v-0', 'v-1']);

    // As if the checkpoint were lost: everything is handled again, nothing appended again.
    await readStore.drop([], reactorCheckpoint('noter'));
    const replay = runner(noter(calls));
    await replay.start();
    await replay.waitFor(await store.headPosition());
    await replay.stop();
    expect(calls).toHaveLength(10);
    expect((await store.readAll({ filter: { eventTypes: ['InteractionNoted'] } })).events).toHaveLength(5);
  });

  it('retries a failing reaction, parks it after its last try and goes on', async () => {
    const calls: string[] = [];
    const r = runner(noter(calls, 'broken'));
    await r.start();
    await logMany(1, 'broken');
    await r.waitFor(await logMany(2, 'ok'));
    await r.stop();
    expect(calls.filter((c) => c === 'broken-0')).toHaveLength(3);
    const parked = await readStore.find(PARKED_COLLECTION, { projection: reactorCheckpoint('noter') });
    expect(parked.docs).toHaveLength(1);
    expect(parked.docs[0]).toMatchObject({ error: 'the judge is down', attempts: 3 });
    expect((await store.readAll({ filter: { eventTypes: ['InteractionNoted'] } })).events).toHaveLength(2);
  });
});
