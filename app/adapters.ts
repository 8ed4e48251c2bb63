import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { EventStore } from '../events/event-store';
import { KurrentDbEventStore } from '../events/kurrentdb/kurrentdb-event-store';
import { SqliteEventStore } from '../events/sqlite/sqlite-event-store';
import type { Logger } from '../lib/logger';
import { SqliteReadStore } from '../projections/embedded/sqlite-read-store';
import { MongoReadStore } from '../projections/mongodb/mongo-read-store';
import type { ReadStore } from '../projections/read-store';
import type { Bus } from '../services/bus/bus';
import { InProcessBus } from '../services/bus/in-process-bus';
import { NatsBus } from '../services/bus/nats-bus';
import type { Config } from './config';

/** The three stores, chosen by configuration: embedded under the data dir unless a URL is set. */
export interface Adapters {
  /** Raw: knows envelopes, not schemas (the projector parses; services use the catalogued one). */
  readonly eventStore: EventStore;
  readonly readStore: ReadStore;
  readonly bus: Bus;
  readonly kinds: { readonly eventStore: string; readonly readStore: string; readonly bus: string };
  close(): Promise<void>;
}

export async function openAdapters(config: Config, logger: Logger, instanceName = 'flywheel'): Promise<Adapters> {
  mkdirSync(config.FLYWHEEL_DATA_DIR, { recursive: true });
  const opened: { close(): Promise<void> }[] = [];
  try {
    const eventStore = config.EVENTSTORE_URL
      ? await KurrentDbEventStore.connect(config.EVENTSTORE_URL)
      : await SqliteEventStore.open({ path: join(config.FLYWHEEL_DATA_DIR, 'events.db') });
    opened.push(eventStore);
    const readStore = config.MONGODB_URL
      ? await MongoReadStore.connect({ url: config.MONGODB_URL, database: config.MONGODB_DATABASE })
      : SqliteReadStore.open({ path: join(config.FLYWHEEL_DATA_DIR, 'read.db') });
    opened.push(readStore);
    const bus = config.NATS_URL ? await NatsBus.connect({ servers: config.NATS_URL, name: instanceName }) : new InProcessBus();
    opened.push(bus);
    const kinds = {
      eventStore: config.EVENTSTORE_URL ? 'kurrentdb' : 'sqlite',
      readStore: config.MONGODB_URL ? 'mongodb' : 'sqlite',
      bus: config.NATS_URL ? 'nats' : 'in-process',
    };
    logger.info({ ...kinds, dataDir: config.FLYWHEEL_DATA_DIR }, 'adapters open');
    return {
      eventStore,
      readStore,
      bus,
      kinds,
      // Reverse order: nothing closes while something opened after it may still use it.
      close: async () => {
        await bus.close();
        await readStore.close();
        await eventStore.close();
      },
    };
  } catch (error) {
    for (const a of opened.reverse()) await a.close().catch(() => undefined);
    throw error;
  }
}
