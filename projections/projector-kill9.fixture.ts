/**
 * A projector alone in its process, for projector-kill9.int.test.ts: it catches up the
 * `interactions` read model from an embedded event store and is killed -9 part-way.
 *
 *   node --import tsx projections/projector-kill9.fixture.ts <events.db> <read.db> <batchSize>
 */
import { catalogue } from '../events/catalogue';
import { SqliteEventStore } from '../events/sqlite/sqlite-event-store';
import { silentLogger } from '../lib/logger';
import { SqliteReadStore } from './embedded/sqlite-read-store';
import { interactionsProjection } from './interactions';
import { Projector } from './projector';

async function main(): Promise<void> {
  const [eventsPath, readPath, batch] = process.argv.slice(2);
  const batchSize = Number(batch);
  if (!eventsPath || !readPath || !Number.isInteger(batchSize) || batchSize < 1) {
    throw new Error('usage: projector-kill9.fixture.ts <events.db> <read.db> <batchSize>');
  }
  const store = await SqliteEventStore.open({ path: eventsPath });
  const readStore = SqliteReadStore.open({ path: readPath });
  const projector = new Projector({
    store,
    readStore,
    // Nobody listens in the child: what a batch announces has nowhere to go.
    publish: async () => undefined,
    parser: catalogue,
    projections: [interactionsProjection],
    logger: silentLogger,
    batchSize,
  });
  await projector.start();
  process.stdout.write('projecting\n');
  // Runs until killed; the parent never lets it finish on its own.
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
