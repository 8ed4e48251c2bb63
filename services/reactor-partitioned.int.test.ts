import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { catalogue, type DomainEvent } from '../events/catalogue';
import { SqliteEventStore } from '../events/sqlite/sqlite-event-store';
import { silentLogger } from '../lib/logger';
import { SqliteReadStore } from '../projections/embedded/sqlite-read-store';
import { PARKED_COLLECTION } from '../projections/parked';
import { interactionLogged } from '../test/events';
import { reactorCheckpoint, ReactorRunner, type Reactor } from './reactor';

let dir: string;
let store: SqliteEventStore;
let readStore: SqliteReadStore;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'flywheel-partitioned-'));
  store = await SqliteEventStore.open({ path: join(dir, 'events.db') });
  readStore = SqliteReadStore.open({ path: join(dir, 'read.db') });
});
afterEach(async () => {
  await store.close();
  await readStore.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Records when each interaction's handling starts and ends; slow on purpose, so overlaps show. */
function tracer(log: string[], failOn?: string): Reactor {
  return {
    name: 'tracer',
    eventTypes: new Set(['InteractionLogged']),
    partitionKey: (event: DomainEvent) => (event.type === 'InteractionLogged' ? (event.data.conversationId ?? event.stream) : event.stream),
    async react(event: DomainEvent) {
      if (event.type !== 'InteractionLogged') return [];
      log.push(`start ${event.data.interactionId}`);
      await new Promise((r) => setTimeout(r, 5));
      log.push(`end ${event.data.interactionId}`);
      if (event.data.interactionId === failOn) throw new Error('broken');
      return [];
    },
  };
}

async function logAll(items: readonly [string, string][]): Promise<number> {
  // One append each, issued together: they land as one page the runner takes as one batch.
  const results = await Promise.all(
    items.map(([id, conversation]) => store.append(`interaction-${id}`, [interactionLogged({ interactionId: id, conversationId: conversation })])),
  );
  return Math.max(...results.map((r) => r.position));
}

function runner(reactor: Reactor): ReactorRunner {
  return new ReactorRunner(reactor, { store, parser: catalogue, readStore, logger: silentLogger, retryDelayMs: 1, maxAttempts: 2 });
}

describe('reactor runner, partitioned', () => {
  it('handles different keys concurrently and one key in log order, and saves the checkpoint per batch', async () => {
    const head = await logAll([
      ['a1', 'A'],
      ['b1', 'B'],
      ['a2', 'A'],
      ['b2', 'B'],
    ]);
    const log: string[] = [];
    const r = runner(tracer(log));
    await r.start();
    await r.waitFor(head);
    await r.stop();
    // Within a key, one ends before the next starts; across keys, they overlap.
    expect(log.indexOf('end a1')).toBeLessThan(log.indexOf('start a2'));
    expect(log.indexOf('end b1')).toBeLessThan(log.indexOf('start b2'));
    expect(log.indexOf('start b1')).toBeLessThan(log.indexOf('end a1'));
    expect(await readStore.getCheckpoint(reactorCheckpoint('tracer'))).toBe(head);
  });

  it('parks an event that keeps failing without moving the checkpoint past the batch early', async () => {
    const head = await logAll([
      ['x1', 'X'],
      ['y1', 'Y'],
    ]);
    const r = runner(tracer([], 'x1'));
    await r.start();
    await r.waitFor(head);
    await r.stop();
    const parked = await readStore.find(PARKED_COLLECTION, { projection: reactorCheckpoint('tracer') });
    expect(parked.docs).toHaveLength(1);
    expect(await readStore.getCheckpoint(reactorCheckpoint('tracer'))).toBe(head);
  });
});
