import type { EventStore } from '../event-store';
import { describeAppendContract } from './append-contract';
import type { StoreFactory, StoreFixture } from './contract-helpers';
import { describeReadContract } from './read-contract';
import { describeSubscriptionContract } from './subscription-contract';

export type { StoreFactory, StoreFixture } from './contract-helpers';

/**
 * The EventStore port's contract; an adapter is done when this passes against it.
 *
 * Written against the port only, and safe on a shared server: every test works in streams of its
 * own random category (and, where it filters by type, its own event types), reads `$all` filtered
 * to them, and assumes nothing about positions except that they strictly increase. One store from
 * `factory` serves the suite; tests that close a store make their own.
 */
export function describeEventStoreContract(name: string, factory: StoreFactory): void {
  describe(`EventStore contract: ${name}`, () => {
    let fixture: StoreFixture | undefined;

    beforeAll(async () => {
      fixture = await factory();
    });

    afterAll(async () => {
      await fixture?.cleanup();
    });

    const store = (): EventStore => {
      if (!fixture) throw new Error('the contract store is not open (did the factory fail?)');
      return fixture.store;
    };
    const ctx = { store, factory };

    describeAppendContract(ctx);
    describeReadContract(ctx);
    describeSubscriptionContract(ctx);
  });
}
