import { describeIf } from '../../test/describe-if';
import { describeEventStoreContract } from '../contract/event-store-contract';
import { KurrentDbEventStore } from './kurrentdb-event-store';

// A KurrentDB/EventStoreDB server, e.g. `kurrentdb://127.0.0.1:2113?tls=false` from docker-compose.
const url = process.env.EVENTSTORE_URL;

describeIf(url !== undefined && url !== '', 'KurrentDbEventStore', 'EVENTSTORE_URL is not set', () => {
  describeEventStoreContract('KurrentDbEventStore', async () => {
    const store = await KurrentDbEventStore.connect(url ?? '');
    return { store, cleanup: () => store.close() };
  });
});
