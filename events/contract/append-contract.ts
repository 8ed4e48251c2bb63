import type { AppendResult } from '../event-store';
import type { NewEvent } from '../envelope';
import {
  ExpectedRevisionConflict,
  IdempotencyConflict,
  InvalidEvent,
  InvalidEventType,
  InvalidStreamName,
  type ExpectedRevision,
} from '../errors';
import {
  events,
  ids,
  isStrictlyIncreasing,
  newEvent,
  positions,
  readAllPages,
  recorded,
  rejectionOf,
  uniqueCategory,
  uniqueType,
  type ContractContext,
} from './contract-helpers';

async function expectConflict(
  promise: Promise<unknown>,
  expected: { stream: string; expected: ExpectedRevision; actual: number },
): Promise<void> {
  const error = await rejectionOf(promise);
  expect(error).toBeInstanceOf(ExpectedRevisionConflict);
  if (error instanceof ExpectedRevisionConflict) {
    expect({ stream: error.stream, expected: error.expected, actual: error.actual }).toEqual(expected);
  }
}

export function describeAppendContract(ctx: ContractContext): void {
  describe('append', () => {
    it('given a new stream, when two events are appended, then they read back with the full envelope', async () => {
      const store = ctx.store();
      const stream = `${uniqueCategory()}-1`;
      const appended = [
        newEvent('ThingHappened', { n: 1, nested: { list: [1, 'two', null, true, 2.5], empty: {} } }),
        newEvent('ThingChanged', { n: 2 }),
      ];
      const before = await store.headPosition();

      const result = await store.append(stream, appended, { expectedRevision: 'no_stream' });

      const read = await store.readStream(stream);
      expect(read).toEqual(appended.map((e, i) => recorded(e, stream, i)));
      for (const e of read) expect(Number.isNaN(Date.parse(e.recordedAt))).toBe(false);
      expect(read[0]?.position).toBeGreaterThan(before);
      expect(isStrictlyIncreasing(positions(read))).toBe(true);
      expect(result).toEqual({ lastRevision: 1, position: read[1]?.position });
      expect(await store.headPosition()).toBeGreaterThanOrEqual(result.position);
    });

    it('given several appends to a stream, then revisions count from 0 and positions strictly increase', async () => {
      const store = ctx.store();
      const stream = `${uniqueCategory()}-1`;
      const results: AppendResult[] = [];
      for (const batch of [events(1), events(2), events(1)]) results.push(await store.append(stream, batch));

      expect(results.map((r) => r.lastRevision)).toEqual([0, 2, 3]);
      expect(isStrictlyIncreasing(results.map((r) => r.position))).toBe(true);
      const read = await store.readStream(stream);
      expect(read.map((e) => e.revision)).toEqual([0, 1, 2, 3]);
      expect(isStrictlyIncreasing(positions(read))).toBe(true);
      expect(read[3]?.position).toBe(results[2]?.position);
    });

    describe('expected revision', () => {
      it('no_stream: succeeds on a new stream, conflicts on an existing one with its revision', async () => {
        const store = ctx.store();
        const stream = `${uniqueCategory()}-1`;
        await store.append(stream, events(2), { expectedRevision: 'no_stream' });

        await expectConflict(store.append(stream, events(1), { expectedRevision: 'no_stream' }), {
          stream,
          expected: 'no_stream',
          actual: 1,
        });
        expect(await store.readStream(stream)).toHaveLength(2);
      });

      it('stream_exists: conflicts on a missing stream with actual -1, succeeds on an existing one', async () => {
        const store = ctx.store();
        const stream = `${uniqueCategory()}-1`;

        await expectConflict(store.append(stream, events(1), { expectedRevision: 'stream_exists' }), {
          stream,
          expected: 'stream_exists',
          actual: -1,
        });
        expect(await store.readStream(stream)).toEqual([]);
        await store.append(stream, events(1));
        await expect(store.append(stream, events(1), { expectedRevision: 'stream_exists' })).resolves.toMatchObject({
          lastRevision: 1,
        });
      });

      it('a revision: succeeds when it is the last event’s revision, conflicts otherwise', async () => {
        const store = ctx.store();
        const stream = `${uniqueCategory()}-1`;

        await expectConflict(store.append(stream, events(1), { expectedRevision: 0 }), { stream, expected: 0, actual: -1 });
        await store.append(stream, events(3), { expectedRevision: 'no_stream' });
        await expectConflict(store.append(stream, events(1), { expectedRevision: 1 }), { stream, expected: 1, actual: 2 });
        await expectConflict(store.append(stream, events(1), { expectedRevision: 3 }), { stream, expected: 3, actual: 2 });
        await expect(store.append(stream, events(2), { expectedRevision: 2 })).resolves.toMatchObject({ lastRevision: 4 });
        expect(await store.readStream(stream)).toHaveLength(5);
      });

      it('any (the default): succeeds on a new and on an existing stream', async () => {
        const store = ctx.store();
        const stream = `${uniqueCategory()}-1`;
        await expect(store.append(stream, events(1), { expectedRevision: 'any' })).resolves.toMatchObject({ lastRevision: 0 });
        await expect(store.append(stream, events(1))).resolves.toMatchObject({ lastRevision: 1 });
      });

      it('given writers racing on one revision, then exactly one wins and the others conflict', async () => {
        const store = ctx.store();
        const category = uniqueCategory();
        const streams = Array.from({ length: 5 }, (_, i) => `${category}-${i}`);
        await Promise.all(streams.map((s) => store.append(s, events(1))));

        await Promise.all(
          streams.map(async (stream) => {
            const contenders = [newEvent(), newEvent(), newEvent()];
            const settled = await Promise.allSettled(contenders.map((e) => store.append(stream, [e], { expectedRevision: 0 })));

            const winners = contenders.filter((_, i) => settled[i]?.status === 'fulfilled');
            expect(winners).toHaveLength(1);
            for (const s of settled) {
              if (s.status === 'rejected') {
                expect(s.reason).toBeInstanceOf(ExpectedRevisionConflict);
                expect(s.reason).toMatchObject({ stream, expected: 0, actual: 1 });
              }
            }
            expect(ids(await store.readStream(stream, { fromRevision: 1 }))).toEqual(ids(winners));
          }),
        );
      });
    });

    describe('idempotency', () => {
      it('given an append, when it is retried, then the original result comes back and nothing is appended', async () => {
        const store = ctx.store();
        const stream = `${uniqueCategory()}-1`;
        const batch = events(2);
        const original = await store.append(stream, batch, { expectedRevision: 'no_stream' });
        await store.append(stream, events(1));

        // Retries carry whatever the caller expected the first time, now stale; they still succeed.
        await expect(store.append(stream, batch, { expectedRevision: 'no_stream' })).resolves.toEqual(original);
        await expect(store.append(stream, batch)).resolves.toEqual(original);
        await expect(store.append(stream, batch, { expectedRevision: 7 })).resolves.toEqual(original);
        expect(ids(await store.readStream(stream))).toHaveLength(3);
      });

      it.each([
        ['overlapping the end', (a: NewEvent, b: NewEvent, c: NewEvent) => [b, c]],
        ['overlapping the start', (a: NewEvent, b: NewEvent, c: NewEvent) => [c, a]],
        ['in another order', (a: NewEvent, b: NewEvent) => [b, a]],
      ])('given [a, b] appended, when an append repeats some ids %s, then IdempotencyConflict and nothing appended', async (_, make) => {
        const store = ctx.store();
        const stream = `${uniqueCategory()}-1`;
        const [a, b, c] = [newEvent(), newEvent(), newEvent()];
        await store.append(stream, [a, b]);

        const attempt = make(a, b, c);
        const error = await rejectionOf(store.append(stream, attempt));

        expect(error).toBeInstanceOf(IdempotencyConflict);
        expect(error).toMatchObject({ stream });
        if (error instanceof IdempotencyConflict) {
          const repeated = ids(attempt).filter((id) => id === a.id || id === b.id);
          expect([...error.eventIds].sort()).toEqual(repeated.sort());
        }
        expect(ids(await store.readStream(stream))).toEqual([a.id, b.id]);
      });
    });

    it('given 50 concurrent appenders, then per-stream revisions are dense and $all agrees with each stream', async () => {
      const store = ctx.store();
      const category = uniqueCategory();
      const streams = Array.from({ length: 5 }, (_, i) => `${category}-${i}`);
      const acks: { stream: string; batch: NewEvent[]; result: AppendResult }[] = [];

      await Promise.all(
        Array.from({ length: 50 }, async (_, appender) => {
          const stream = streams[appender % streams.length] ?? '';
          for (let round = 0; round < 4; round++) {
            const batch = events(1 + ((appender + round) % 2));
            acks.push({ stream, batch, result: await store.append(stream, batch) });
          }
        }),
      );

      const all = (await readAllPages(store, { maxCount: 1000, filter: { streamPrefixes: [`${category}-`] } })).events;
      expect(all).toHaveLength(acks.reduce((n, a) => n + a.batch.length, 0));
      expect(isStrictlyIncreasing(positions(all))).toBe(true);
      for (const stream of streams) {
        const read = await store.readStream(stream);
        expect(read.map((e) => e.revision)).toEqual(read.map((_, i) => i));
        // Global order is consistent with the stream's order.
        expect(ids(all.filter((e) => e.stream === stream))).toEqual(ids(read));
        expect(isStrictlyIncreasing(positions(read))).toBe(true);
      }
      const byId = new Map(all.map((e) => [e.id, e]));
      for (const { stream, batch, result } of acks) {
        const stored = batch.map((e) => byId.get(e.id));
        // One append's events sit at consecutive revisions and the result names its last one.
        expect(stored.map((e) => e?.stream)).toEqual(batch.map(() => stream));
        expect(stored.map((e) => e?.revision)).toEqual(batch.map((_, i) => result.lastRevision - batch.length + 1 + i));
        expect(stored[stored.length - 1]?.position).toBe(result.position);
      }
    });

    describe('bad input is rejected with a typed error and nothing is appended', () => {
      const withoutMetadata = (type: string): NewEvent => {
        // A caller the compiler cannot check (plain JS, a parsed payload) may omit metadata.
        const event = { ...newEvent(type) };
        Reflect.deleteProperty(event, 'metadata');
        return event;
      };
      type Make = (stream: string, type: string) => [string, NewEvent[]];
      const cases: [string, Make, new (...args: never[]) => Error][] = [
        ['an invalid stream name', (_, t) => ['Not A Stream', [newEvent(t)]], InvalidStreamName],
        ['a stream name without a category', (_, t) => ['nodash', [newEvent(t)]], InvalidStreamName],
        ['an invalid event type', (s, t) => [s, [newEvent(t), newEvent('not a type')]], InvalidEventType],
        ['an id that is not a UUID', (s, t) => [s, [newEvent(t), { ...newEvent(t), id: 'event-1' }]], InvalidEvent],
        ['missing metadata', (s, t) => [s, [newEvent(t), withoutMetadata(t)]], InvalidEvent],
        ['metadata without an actor', (s, t) => [s, [{ ...newEvent(t), metadata: { ...newEvent(t).metadata, actor: '' } }]], InvalidEvent],
        ['duplicate ids in one append', (s, t) => {
          const event = newEvent(t);
          return [s, [event, { ...event }]];
        }, InvalidEvent],
        ['data that is an array', (s, t) => [s, [{ ...newEvent(t), data: [1, 2] }]], InvalidEvent],
        ['data that is a string', (s, t) => [s, [{ ...newEvent(t), data: 'text' }]], InvalidEvent],
        ['data that is null', (s, t) => [s, [{ ...newEvent(t), data: null }]], InvalidEvent],
        ['an empty list of events', (s) => [s, []], InvalidEvent],
      ];

      it.each(cases)('%s', async (_, make, errorClass) => {
        const store = ctx.store();
        const category = uniqueCategory();
        const type = uniqueType('Rejected');
        const [stream, batch] = make(`${category}-1`, type);
        const before = await store.headPosition();

        await expect(store.append(stream, batch)).rejects.toBeInstanceOf(errorClass);

        expect(await store.readStream(`${category}-1`)).toEqual([]);
        expect((await store.readAll({ after: before, filter: { eventTypes: [type] } })).events).toEqual([]);
      });

    });
  });
}
