import { randomUUID } from 'node:crypto';
import { BusClosed, InvalidMessage, InvalidTopic, MAX_MESSAGE_BYTES, type Bus, type BusMessage, type BusSubscription } from '../bus';

export interface BusFactoryOptions {
  /** Per-subscriber buffer; the overflow test asks for a small one. */
  readonly bufferSize?: number;
}

/** A fresh, connected bus. The suite closes every bus it opens. */
export type BusFactory = (options: BusFactoryOptions) => Promise<Bus>;

const WAIT_MS = 5_000;

/**
 * The Bus port's contract, run against every adapter. Each test uses its own topics, so
 * adapters that share a server (NATS) can run the suite in parallel with other test files.
 */
export function describeBusContract(name: string, factory: BusFactory): void {
  describe(`Bus contract: ${name}`, () => {
    const opened: Bus[] = [];
    const open = async (options: BusFactoryOptions = {}): Promise<Bus> => {
      const bus = await factory(options);
      opened.push(bus);
      return bus;
    };
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((bus) => bus.close()));
    });

    it('delivers a publish to every subscriber of its topic and to no other topic', async () => {
      const bus = await open();
      const topic = uniqueTopic('fanout');
      const [first, second] = [bus.subscribe(topic), bus.subscribe(topic)];
      const otherTopic = uniqueTopic('other');
      const other = bus.subscribe(otherTopic);
      const child = bus.subscribe(`${topic}.child`);

      await bus.publish(topic, { n: 1 });
      // Given a later sentinel on the other topics, then it must be the first thing they see.
      await bus.publish(`${topic}.child`, { sentinel: true });
      await bus.publish(otherTopic, { sentinel: true });

      expect(await take(first, 1)).toEqual([{ n: 1 }]);
      expect(await take(second, 1)).toEqual([{ n: 1 }]);
      expect(await take(child, 1)).toEqual([{ sentinel: true }]);
      expect(await take(other, 1)).toEqual([{ sentinel: true }]);
    });

    it('keeps the order of one publisher, awaited or fired together', async () => {
      const bus = await open();
      const topic = uniqueTopic('order');
      const subscription = bus.subscribe<{ seq: number }>(topic);

      for (let seq = 0; seq < 100; seq += 1) await bus.publish(topic, { seq });
      await Promise.all(Array.from({ length: 100 }, (_, i) => bus.publish(topic, { seq: 100 + i })));

      const received = await take(subscription, 200);
      expect(received.map((m) => m.seq)).toEqual(Array.from({ length: 200 }, (_, i) => i));
      expect(subscription.dropped).toBe(0);
    });

    it('stops delivering to a subscriber that closed, and others carry on', async () => {
      const bus = await open();
      const topic = uniqueTopic('unsubscribe');
      const leaving = bus.subscribe(topic);
      const staying = bus.subscribe(topic);
      const breaking = bus.subscribe(topic);

      await bus.publish(topic, { n: 1 });
      expect(await take(leaving, 1)).toEqual([{ n: 1 }]);
      for await (const message of breaking) {
        expect(message).toEqual({ n: 1 });
        break; // leaving a for-await loop closes the subscription
      }
      await leaving.close();
      await leaving.close(); // twice is fine

      await bus.publish(topic, { n: 2 });
      expect(await take(staying, 2)).toEqual([{ n: 1 }, { n: 2 }]);
      await expectEnded(leaving);
      await expectEnded(breaking);
    });

    it.each(['', '.', 'a.', '.a', 'a..b', 'a b', 'a.*', 'a.>', '>', '*', 'ü', 'a/b', 'x'.repeat(256)])(
      'rejects the invalid topic %j',
      async (topic) => {
        const bus = await open();
        await expect(bus.publish(topic, { n: 1 })).rejects.toBeInstanceOf(InvalidTopic);
        expect(() => bus.subscribe(topic)).toThrow(InvalidTopic);
      },
    );

    it('rejects messages that are not serialisable JSON objects or are too large', async () => {
      const bus = await open();
      const topic = uniqueTopic('invalid-message');
      const cyclic: Record<string, unknown> = {};
      cyclic.self = cyclic;

      await expect(bus.publish(topic, { big: 1n })).rejects.toBeInstanceOf(InvalidMessage);
      await expect(bus.publish(topic, cyclic)).rejects.toBeInstanceOf(InvalidMessage);
      await expect(bus.publish(topic, { text: 'x'.repeat(MAX_MESSAGE_BYTES) })).rejects.toBeInstanceOf(InvalidMessage);
    });

    it('round-trips messages as JSON, unicode included, with a copy per subscriber', async () => {
      const bus = await open();
      const topic = uniqueTopic('json');
      const [first, second] = [bus.subscribe(topic), bus.subscribe(topic)];
      const message = {
        text: 'héllo wörld — 日本語 🚀 👩‍👩‍👧 \u2028\u2029 "quoted" \\ \u0000',
        nested: { list: [1, -1.5, 1e21, 0, null, true, false, 'ß'], empty: {} },
        at: new Date('2026-01-02T03:04:05.678Z'),
        gone: undefined,
      };

      await bus.publish(topic, message);

      const [received] = await take(first, 1);
      expect(received).toEqual(JSON.parse(JSON.stringify(message)));
      expect(received).toEqual({ text: message.text, nested: message.nested, at: '2026-01-02T03:04:05.678Z' });
      expect(received).not.toHaveProperty('gone');
      const [copy] = await take(second, 1);
      expect(copy).not.toBe(received);
    });

    it('drops the oldest messages of a subscriber that falls behind, counts them, and never blocks the publisher', async () => {
      const bus = await open({ bufferSize: 5 });
      const topic = uniqueTopic('overflow');
      const slow = bus.subscribe<{ seq: number }>(topic);

      for (let seq = 0; seq < 20; seq += 1) await bus.publish(topic, { seq });

      expect((await take(slow, 5)).map((m) => m.seq)).toEqual([15, 16, 17, 18, 19]);
      expect(slow.dropped).toBe(15);
    });

    it('on close, hands out what was already delivered, ends every iteration, and refuses further use', async () => {
      const bus = await open();
      const topic = uniqueTopic('close');
      const subscriptions = [bus.subscribe(topic), bus.subscribe(uniqueTopic('close-idle'))];
      await bus.publish(topic, { n: 1 });
      const loops = subscriptions.map(async (subscription) => {
        const seen: BusMessage[] = [];
        for await (const message of subscription) seen.push(message);
        return seen;
      });

      await bus.close();

      expect(await within(Promise.all(loops), 'iterations to end')).toEqual([[{ n: 1 }], []]);
      await expect(bus.publish(topic, { n: 2 })).rejects.toBeInstanceOf(BusClosed);
      expect(() => bus.subscribe(topic)).toThrow(BusClosed);
      await bus.close(); // twice is fine
    });
  });
}

export function uniqueTopic(label: string): string {
  return `test.${label}.${randomUUID()}`;
}

/** Reads exactly `count` messages without closing the subscription. */
export async function take<T extends BusMessage>(subscription: BusSubscription<T>, count: number): Promise<T[]> {
  const iterator = subscription[Symbol.asyncIterator]();
  const received: T[] = [];
  const read = async (): Promise<T[]> => {
    while (received.length < count) {
      const result = await iterator.next();
      if (result.done) throw new Error(`subscription ended after ${received.length} of ${count} messages`);
      received.push(result.value);
    }
    return received;
  };
  return within(read(), () => `${count} messages (got ${received.length})`);
}

export async function expectEnded(subscription: BusSubscription): Promise<void> {
  const result = await within(subscription[Symbol.asyncIterator]().next(), 'the subscription to end');
  expect(result.done).toBe(true);
}

export async function within<T>(promise: Promise<T>, what: string | (() => string), ms = WAIT_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${typeof what === 'string' ? what : what()}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
