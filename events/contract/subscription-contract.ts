import type { RecordedEvent } from '../envelope';
import { StoreClosed } from '../errors';
import {
  endsWithin,
  events,
  ids,
  isStrictlyIncreasing,
  newEvent,
  positions,
  take,
  uniqueCategory,
  type ContractContext,
} from './contract-helpers';

export function describeSubscriptionContract(ctx: ContractContext): void {
  describe('subscribeToAll', () => {
    it('given stored events and writers still appending, then it delivers every event exactly once in position order', async () => {
      const store = ctx.store();
      const category = uniqueCategory();
      const prefix = `${category}-`;
      const before = await store.headPosition();
      const stored = events(40);
      for (let i = 0; i < stored.length; i += 4) await store.append(`${category}-${i % 3}`, stored.slice(i, i + 4));

      const filtered = store.subscribeToAll({ after: before, filter: { streamPrefixes: [prefix] } });
      const unfiltered = store.subscribeToAll({ after: before });
      const live = events(100);
      // Ten writers append while both subscriptions are still catching up.
      const writers = Promise.all(
        Array.from({ length: 10 }, async (_, w) => {
          for (let i = w; i < live.length; i += 10) {
            const event = live[i];
            if (event) await store.append(`${category}-w${w}`, [event]);
          }
        }),
      );
      const mine = (e: RecordedEvent) => e.stream.startsWith(prefix);
      const [viaFilter, viaAll] = await Promise.all([
        take(filtered, 140),
        take(unfiltered, 140, 10_000, mine),
        writers,
      ]);

      const expected = [...ids(stored), ...ids(live)].sort();
      for (const got of [viaFilter, viaAll]) {
        expect(isStrictlyIncreasing(positions(got))).toBe(true);
        expect(ids(got).sort()).toEqual(expected);
        expect(new Set(ids(got)).size).toBe(140);
      }
      expect(ids(viaFilter.slice(0, 40))).toEqual(ids(stored));
      expect(ids(viaAll)).toEqual(ids(viaFilter));

      // Nothing left over: the next delivery is the next append.
      const last = newEvent();
      await store.append(`${category}-0`, [last]);
      expect(ids(await take(filtered, 1))).toEqual([last.id]);
      expect(ids(await take(unfiltered, 1, 10_000, mine))).toEqual([last.id]);
      await filtered.close();
      await unfiltered.close();
    });

    it('given a checkpoint, then it resumes with exactly the events after it, then live ones', async () => {
      const store = ctx.store();
      const category = uniqueCategory();
      const appended = events(10);
      for (const event of appended) await store.append(`${category}-1`, [event]);
      const read = await store.readStream(`${category}-1`);
      const checkpoint = read[5]?.position ?? -1;

      const subscription = store.subscribeToAll({ after: checkpoint, filter: { streamPrefixes: [`${category}-`] } });
      const resumed = await take(subscription, 4);
      const next = newEvent();
      await store.append(`${category}-2`, [next]);
      const live = await take(subscription, 1);

      expect(ids(resumed)).toEqual(ids(appended.slice(6)));
      expect(ids(live)).toEqual([next.id]);
      await subscription.close();
    });

    it('given a subscription at the head, when it is closed, then iteration ends', async () => {
      const store = ctx.store();
      const subscription = store.subscribeToAll({ after: await store.headPosition(), filter: { streamPrefixes: [`${uniqueCategory()}-`] } });
      const ended = endsWithin(subscription, 5_000);

      await subscription.close();

      expect(await ended).toBe(true);
    });

    it('a for-await loop that breaks closes the subscription', async () => {
      const store = ctx.store();
      const category = uniqueCategory();
      await store.append(`${category}-1`, events(3));
      const subscription = store.subscribeToAll({ filter: { streamPrefixes: [`${category}-`] } });
      let seen = 0;
      for await (const _ of subscription) {
        seen += 1;
        if (seen === 2) break;
      }
      expect(seen).toBe(2);
      expect(await endsWithin(subscription, 1_000)).toBe(true);
    });
  });

  describe('close', () => {
    it('given a closed store, then every call rejects with StoreClosed and open subscriptions end', async () => {
      const { store, cleanup } = await ctx.factory();
      try {
        const category = uniqueCategory();
        await store.append(`${category}-1`, events(1));
        const subscription = store.subscribeToAll({ after: await store.headPosition() });
        const ended = endsWithin(subscription, 5_000);

        await store.close();

        expect(await ended).toBe(true);
        await expect(store.append(`${category}-1`, events(1))).rejects.toBeInstanceOf(StoreClosed);
        await expect(store.readStream(`${category}-1`)).rejects.toBeInstanceOf(StoreClosed);
        await expect(store.readAll()).rejects.toBeInstanceOf(StoreClosed);
        await expect(store.headPosition()).rejects.toBeInstanceOf(StoreClosed);
      } finally {
        await cleanup();
      }
    });
  });
}
