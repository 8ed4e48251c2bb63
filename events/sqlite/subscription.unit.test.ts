import { randomUUID } from 'node:crypto';
import type { RecordedEvent } from '../envelope';
import { take } from '../contract/contract-helpers';
import { SqliteSubscription, type PageSource } from './subscription';

/**
 * The pull loop on its own, over an in-memory log standing in for the table, so the tests can
 * count reads: what matters here is when the subscription reads, not how SQLite answers.
 */
class Log implements PageSource {
  readonly events: RecordedEvent[] = [];
  reads = 0;

  constructor(private readonly pageSize: number) {}

  append(count: number): number {
    for (let i = 0; i < count; i++) {
      const position = this.events.length + 1;
      this.events.push({
        id: randomUUID(),
        type: 'ThingHappened',
        data: { position },
        metadata: { correlationId: 'c', causationId: null, actor: 'system:test', occurredAt: '2024-01-01T00:00:00Z', schemaVersion: 1 },
        stream: 'thing-1',
        revision: position - 1,
        position,
        recordedAt: '2024-01-01T00:00:00Z',
      });
    }
    return this.events.length;
  }

  readPage(cursor: number): { events: RecordedEvent[]; cursor: number } {
    this.reads += 1;
    const events = this.events.filter((e) => e.position > cursor).slice(0, this.pageSize);
    return { events, cursor: events[events.length - 1]?.position ?? cursor };
  }
}

const subscribe = (log: Log, pollIntervalMs = 60_000) =>
  new SqliteSubscription(log, { after: 0, pollIntervalMs, onEnd: () => undefined });

describe('SqliteSubscription (the pull loop)', () => {
  it('given a large backlog, when the consumer takes a few events, then only one page has been read', async () => {
    const log = new Log(10);
    log.append(10_000);
    const subscription = subscribe(log);

    await take(subscription, 5);

    expect(log.reads).toBe(1);
    await take(subscription, 20);
    expect(log.reads).toBe(3);
    await subscription.close();
  });

  it('given a caught-up consumer, when a commit is notified, then it wakes and reads the new events', async () => {
    const log = new Log(10);
    log.append(3);
    const subscription = subscribe(log);
    await take(subscription, 3);
    const waiting = take(subscription, 2, 2_000);

    await new Promise((resolve) => setImmediate(resolve));
    subscription.notify(log.append(2));

    expect((await waiting).map((e) => e.position)).toEqual([4, 5]);
    await subscription.close();
  });

  it('given a notification that arrives before the consumer waits, then it is not lost', async () => {
    const log = new Log(10);
    const subscription = subscribe(log);
    subscription.notify(log.append(1));
    expect((await take(subscription, 1, 1_000)).map((e) => e.position)).toEqual([1]);
    await subscription.close();
  });

  it('given writes nobody notifies (another process), then the poll timer picks them up', async () => {
    const log = new Log(10);
    const subscription = subscribe(log, 20);
    const waiting = take(subscription, 1, 2_000);
    await new Promise((resolve) => setTimeout(resolve, 30));

    log.append(1);

    expect((await waiting).map((e) => e.position)).toEqual([1]);
    await subscription.close();
  });

  it('given a waiting consumer, when the subscription is closed, then iteration ends and onEnd runs once', async () => {
    const log = new Log(10);
    let ended = 0;
    const subscription = new SqliteSubscription(log, { after: 0, pollIntervalMs: 60_000, onEnd: () => (ended += 1) });
    const iterator = subscription[Symbol.asyncIterator]();
    const next = iterator.next();

    await subscription.close();
    await subscription.close();

    await expect(next).resolves.toEqual({ value: undefined, done: true });
    expect(ended).toBe(1);
  });

  it('given a failure passed in (store already closed), then the first pull rejects with it', async () => {
    const failure = new Error('closed');
    const subscription = new SqliteSubscription(new Log(10), { after: 0, pollIntervalMs: 10, onEnd: () => undefined, failure });
    await expect(subscription[Symbol.asyncIterator]().next()).rejects.toBe(failure);
  });
});
