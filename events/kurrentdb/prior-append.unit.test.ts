import { randomUUID } from 'node:crypto';
import { END, type ResolvedEvent } from '@kurrent/kurrentdb-client';
import { InvalidEvent } from '../errors';
import { findPriorAppend, type ReadBackwards } from './prior-append';

/** A stream held in memory, read backwards the way KurrentDB reads it; counts the reads it served. */
function streamOf(ids: readonly string[], withPositions = true): { read: ReadBackwards; reads: () => number } {
  const items: ResolvedEvent[] = ids.map((id, revision) => ({
    event: {
      streamId: 'thing-1',
      id,
      isJson: true,
      revision: BigInt(revision),
      type: 'ThingHappened',
      created: new Date(0),
      data: {},
      metadata: undefined,
      position: withPositions ? { commit: BigInt(1000 + revision * 10), prepare: BigInt(1000 + revision * 10) } : undefined,
    },
  }));
  let reads = 0;
  const read: ReadBackwards = async (fromRevision, maxCount) => {
    reads += 1;
    const top = fromRevision === END ? items.length - 1 : Number(fromRevision);
    return items.slice(Math.max(0, top - maxCount + 1), top + 1).reverse();
  };
  return { read, reads: () => reads };
}

const uuids = (n: number): string[] => Array.from({ length: n }, () => randomUUID());
const three = (): [string, string, string] => [randomUUID(), randomUUID(), randomUUID()];

describe('findPriorAppend', () => {
  it('given no stream, then nothing is there and the last revision is -1', async () => {
    expect(await findPriorAppend(uuids(2), streamOf([]).read)).toEqual({ kind: 'none', lastRevision: -1 });
  });

  it('given a stream without the ids, then it reads all of it and reports its last revision', async () => {
    const stream = streamOf(uuids(7));
    expect(await findPriorAppend(uuids(2), stream.read, 3)).toEqual({ kind: 'none', lastRevision: 6 });
    expect(stream.reads()).toBe(3);
  });

  it('given the ids at the end in order, then the original result, after reading one page', async () => {
    const [a, b] = three();
    const stream = streamOf([...uuids(10), a, b]);
    expect(await findPriorAppend([a, b], stream.read, 4)).toEqual({
      kind: 'original',
      result: { lastRevision: 11, position: 1110 },
    });
    expect(stream.reads()).toBe(1);
  });

  it('given the ids earlier in the stream across a page boundary, then still the original result', async () => {
    const batch = uuids(3);
    const stream = streamOf([...uuids(2), ...batch, ...uuids(5)]);
    expect(await findPriorAppend(batch, stream.read, 3)).toEqual({ kind: 'original', result: { lastRevision: 4, position: 1040 } });
  });

  it('compares ids case-insensitively', async () => {
    const batch = uuids(2);
    const stream = streamOf(batch);
    const shouted = batch.map((id) => id.toUpperCase());
    expect(await findPriorAppend(shouted, stream.read)).toMatchObject({ kind: 'original' });
  });

  it('given some of the ids, then an overlap naming them in the append’s order', async () => {
    const [a, b, c] = three();
    const stream = streamOf([a, b]);
    expect(await findPriorAppend([b, c], stream.read)).toEqual({ kind: 'overlap', ids: [b] });
    expect(await findPriorAppend([c, a], stream.read)).toEqual({ kind: 'overlap', ids: [a] });
  });

  it('given all the ids but in another order or not adjacent, then an overlap', async () => {
    const [a, b, x] = three();
    expect(await findPriorAppend([b, a], streamOf([a, b]).read)).toEqual({ kind: 'overlap', ids: [b, a] });
    expect(await findPriorAppend([a, b], streamOf([a, x, b]).read)).toMatchObject({ kind: 'overlap' });
  });

  it('given a retry of the first part of a longer append, then the result of its own last event', async () => {
    const batch = uuids(3);
    expect(await findPriorAppend(batch.slice(0, 2), streamOf(batch).read)).toEqual({
      kind: 'original',
      result: { lastRevision: 1, position: 1010 },
    });
  });

  it('given a server that reports no positions, then InvalidEvent rather than a made-up position', async () => {
    const batch = uuids(1);
    await expect(findPriorAppend(batch, streamOf(batch, false).read)).rejects.toBeInstanceOf(InvalidEvent);
  });
});
