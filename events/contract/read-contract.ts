import { randomUUID } from 'node:crypto';
import type { NewEvent } from '../envelope';
import {
  events,
  ids,
  isStrictlyIncreasing,
  metadata,
  newEvent,
  positions,
  readAllPages,
  recorded,
  uniqueCategory,
  uniqueType,
  type ContractContext,
} from './contract-helpers';

export function describeReadContract(ctx: ContractContext): void {
  describe('readStream', () => {
    it('given ten events, then it reads both ways from an inclusive revision, limited by maxCount', async () => {
      const store = ctx.store();
      const stream = `${uniqueCategory()}-1`;
      const appended = events(10);
      await store.append(stream, appended.slice(0, 4));
      await store.append(stream, appended.slice(4));
      const revisions = async (options: Parameters<typeof store.readStream>[1]) =>
        (await store.readStream(stream, options)).map((e) => e.revision);

      expect(ids(await store.readStream(stream))).toEqual(ids(appended));
      expect(await revisions({ fromRevision: 3, maxCount: 4 })).toEqual([3, 4, 5, 6]);
      expect(await revisions({ fromRevision: 8 })).toEqual([8, 9]);
      expect(await revisions({ fromRevision: 10 })).toEqual([]);
      expect(await revisions({ direction: 'backwards' })).toEqual([9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
      expect(await revisions({ direction: 'backwards', fromRevision: 5, maxCount: 3 })).toEqual([5, 4, 3]);
      expect(await revisions({ direction: 'backwards', maxCount: 2 })).toEqual([9, 8]);
      expect(await revisions({ direction: 'backwards', fromRevision: 0 })).toEqual([0]);
    });

    it('given no such stream, then it reads an empty list', async () => {
      const store = ctx.store();
      expect(await store.readStream(`${uniqueCategory()}-missing`)).toEqual([]);
      expect(await store.readStream(`${uniqueCategory()}-missing`, { direction: 'backwards' })).toEqual([]);
    });
  });

  describe('readAll', () => {
    /** 25 events over three streams of one fresh category, interleaved in position order. */
    async function interleaved(): Promise<{ prefix: string; appended: NewEvent[] }> {
      const store = ctx.store();
      const category = uniqueCategory();
      const appended: NewEvent[] = [];
      for (let i = 0; i < 25; i++) {
        const event = newEvent('ThingHappened', { i });
        await store.append(`${category}-${i % 3}`, [event]);
        appended.push(event);
      }
      return { prefix: `${category}-`, appended };
    }

    it('given 25 events, when paged forwards by 7, then every event comes exactly once in position order', async () => {
      const store = ctx.store();
      const { prefix, appended } = await interleaved();

      const { events: read, pages } = await readAllPages(store, { maxCount: 7, filter: { streamPrefixes: [prefix] } });

      expect(ids(read)).toEqual(ids(appended));
      expect(isStrictlyIncreasing(positions(read))).toBe(true);
      expect(pages).toBeGreaterThanOrEqual(4);
      const first = await store.readAll({ maxCount: 7, filter: { streamPrefixes: [prefix] } });
      expect(first.events).toHaveLength(7);
      expect(first.next).toBe(first.events[6]?.position);
    });

    it('given 25 events, when paged backwards by 7, then every event comes exactly once in reverse order', async () => {
      const store = ctx.store();
      const { prefix, appended } = await interleaved();

      const { events: read } = await readAllPages(store, {
        direction: 'backwards',
        maxCount: 7,
        filter: { streamPrefixes: [prefix] },
      });

      expect(ids(read)).toEqual(ids(appended).reverse());
      expect(isStrictlyIncreasing(positions(read).reverse())).toBe(true);
    });

    it('reads unfiltered from an exclusive cursor, and the page size defaults to 100', async () => {
      const store = ctx.store();
      const category = uniqueCategory();
      const before = await store.headPosition();
      const appended = events(120);
      await store.append(`${category}-1`, appended);

      const page = await store.readAll({ after: before, maxCount: 10_000 });
      const ours = page.events.filter((e) => e.stream === `${category}-1`);
      expect(ids(ours)).toEqual(ids(appended));
      expect(page.events.every((e) => e.position > before)).toBe(true);
      expect(isStrictlyIncreasing(positions(page.events))).toBe(true);

      const defaulted = await store.readAll({ filter: { streamPrefixes: [`${category}-`] } });
      expect(defaulted.events).toHaveLength(100);
      expect(defaulted.next).toBe(defaulted.events[99]?.position);
      const rest = await store.readAll({ after: defaulted.next ?? undefined, filter: { streamPrefixes: [`${category}-`] } });
      expect(ids(rest.events)).toEqual(ids(appended.slice(100)));
      expect(rest.next).toBeNull();
    });

    describe('filters', () => {
      const fixture = async () => {
        const store = ctx.store();
        const [a, b] = [uniqueCategory(), uniqueCategory()];
        const [x, y] = [uniqueType('Xed'), uniqueType('Yed')];
        const put = async (stream: string, type: string) => {
          const event = newEvent(type);
          await store.append(stream, [event]);
          return event.id;
        };
        const e = {
          ax: await put(`${a}-red-1`, x),
          ay: await put(`${a}-blue-1`, y),
          bx: await put(`${b}-1`, x),
          ax2: await put(`${a}-red-2`, x),
          by: await put(`${b}-1`, y),
          ay2: await put(`${a}-red-1`, y),
        };
        const read = async (filter: { eventTypes?: string[]; streamPrefixes?: string[] }, direction?: 'backwards') =>
          ids((await readAllPages(store, { maxCount: 2, filter, direction })).events);
        return { a, b, x, y, e, read };
      };

      it('by event type', async () => {
        const { x, y, e, read } = await fixture();
        expect(await read({ eventTypes: [x] })).toEqual([e.ax, e.bx, e.ax2]);
        expect(await read({ eventTypes: [x, y] })).toEqual([e.ax, e.ay, e.bx, e.ax2, e.by, e.ay2]);
        expect(await read({ eventTypes: [y] }, 'backwards')).toEqual([e.ay2, e.by, e.ay]);
      });

      it('by stream prefix: a category, several categories, a prefix into the id, part of a category', async () => {
        const { a, b, e, read } = await fixture();
        expect(await read({ streamPrefixes: [`${a}-`] })).toEqual([e.ax, e.ay, e.ax2, e.ay2]);
        expect(await read({ streamPrefixes: [`${a}-`, `${b}-`] })).toEqual([e.ax, e.ay, e.bx, e.ax2, e.by, e.ay2]);
        expect(await read({ streamPrefixes: [`${a}-red-`] })).toEqual([e.ax, e.ax2, e.ay2]);
        expect(await read({ streamPrefixes: [`${a}-red-`] }, 'backwards')).toEqual([e.ay2, e.ax2, e.ax]);
        expect(await read({ streamPrefixes: [a.slice(0, 30)] })).toEqual([e.ax, e.ay, e.ax2, e.ay2]);
      });

      it('by event type and stream prefix together', async () => {
        const { a, x, e, read } = await fixture();
        expect(await read({ eventTypes: [x], streamPrefixes: [`${a}-`] })).toEqual([e.ax, e.ax2]);
      });
    });
  });

  describe('payloads', () => {
    it('a 1 MB payload round-trips exactly', async () => {
      const store = ctx.store();
      const category = uniqueCategory();
      const blob = Array.from({ length: 28_000 }, () => randomUUID()).join('');
      const event = newEvent('BlobStored', { blob, size: blob.length, parts: blob.slice(0, 1000).split('-') });
      expect(blob.length).toBeGreaterThan(1_000_000);

      await store.append(`${category}-1`, [event]);

      expect(await store.readStream(`${category}-1`)).toEqual([recorded(event, `${category}-1`, 0)]);
      const page = await store.readAll({ filter: { streamPrefixes: [`${category}-`] } });
      expect(page.events[0]?.data).toEqual(event.data);
    });

    it('unicode round-trips exactly in data, metadata and stream ids', async () => {
      const store = ctx.store();
      const category = uniqueCategory();
      const stream = `${category}-名前-👩‍👩‍👧‍👦`;
      const text = [
        '👩‍👩‍👧‍👦 family, 🏳️‍🌈 flag, 𝄞 clef',
        'مرحبا بالعالم', // Arabic, right-to-left
        'שלום עולם', // Hebrew, right-to-left
        '\u202Eoverride\u202C', // explicit bidi controls
        'e\u0301 vs é', // combining accent vs precomposed
        '漢字かなカナ한국어',
        'line\u2028separator\u2029paragraph',
        'quotes " \' and \\ backslash, tab\t, newline\n, \u0001 control',
      ];
      const event: NewEvent = {
        id: randomUUID(),
        type: 'TextCaptured',
        data: { text, ключ: 'значение', '🔑': { nested: text.join(' | ') } },
        metadata: metadata({ actor: 'user:Zoë-ñ-😀', correlationId: 'corr-ünï' }),
      };

      await store.append(stream, [event]);

      expect(await store.readStream(stream)).toEqual([recorded(event, stream, 0)]);
      const page = await store.readAll({ filter: { streamPrefixes: [`${category}-名前`] } });
      expect(page.events).toEqual([recorded(event, stream, 0)]);
    });
  });
}
