import { MongoNetworkError, MongoServerError } from 'mongodb';
import { DuplicateKey, InvalidQuery, InvalidUpdate, ReadStoreUnavailable } from '../errors';
import type { DocumentOperation } from '../read-store';
import { mapMongoError } from './mongo-errors';
import { applicableOperations, docKey, guardFilter, runsByCollection, writeModel, type KnownPosition } from './mongo-operations';

const inc = (id: string, position?: number, upsert = true): DocumentOperation => ({
  op: 'update',
  collection: 'c',
  id,
  update: { $inc: { n: 1 } },
  upsert,
  ...(position === undefined ? {} : { position }),
});

describe('MongoDB write models', () => {
  it('guards on the position: not seen yet, or never positioned', () => {
    expect(guardFilter('x', 7)).toEqual({ _id: 'x', $or: [{ _position: { $lt: 7 } }, { _position: { $exists: false } }] });
    expect(guardFilter('x', undefined)).toEqual({ _id: 'x' });
  });

  it('stamps the position into $set and into a replacement (without its _id)', () => {
    expect(writeModel({ op: 'update', collection: 'c', id: 'x', upsert: true, update: { $set: { a: 1 }, $inc: { n: 1 } } }, 3, false)).toEqual({
      updateOne: { filter: { _id: 'x' }, update: { $set: { a: 1, _position: 3 }, $inc: { n: 1 } }, upsert: true },
    });
    expect(writeModel({ op: 'replace', collection: 'c', id: 'x', doc: { _id: 'x', a: 1 } }, 3, false)).toEqual({
      replaceOne: { filter: { _id: 'x' }, replacement: { a: 1, _position: 3 }, upsert: true },
    });
    expect(writeModel({ op: 'delete', collection: 'c', id: 'x' }, undefined, true)).toEqual({ deleteOne: { filter: { _id: 'x' } } });
  });
});

describe('the guard replayed in memory (transactions)', () => {
  it('skips what a document has seen, in batch order', () => {
    const known = new Map<string, KnownPosition>([
      [docKey('c', 'seen'), 10],
      [docKey('c', 'old'), 5],
      [docKey('c', 'plain'), 'unpositioned'],
    ]);
    const kept = applicableOperations(
      [inc('seen', 10), inc('old', 6), inc('old', 6), inc('old', 7), inc('plain', 1), inc('fresh', 2), inc('ghost', 3, false), inc('free')],
      undefined,
      known,
    );
    expect(kept.map((k) => `${k.operation.id}@${k.position}`)).toEqual(['old@6', 'old@7', 'plain@1', 'fresh@2', 'free@undefined']);
  });

  it('forgets a deleted document and takes the default position', () => {
    const known = new Map<string, KnownPosition>([[docKey('c', 'x'), 4]]);
    const ops: DocumentOperation[] = [{ op: 'delete', collection: 'c', id: 'x' }, inc('x', 3)];
    expect(applicableOperations(ops, 5, known).map((k) => k.position)).toEqual([5, 3]);
  });

  it('groups consecutive operations of one collection, keeping order', () => {
    const ops = [inc('a'), { ...inc('b'), collection: 'd' }, inc('c')].map((operation) => ({ operation }));
    expect(runsByCollection(ops).map((r) => [r.collection, r.items.map((i) => i.operation.id)])).toEqual([
      ['c', ['a']],
      ['d', ['b']],
      ['c', ['c']],
    ]);
  });
});

describe('MongoDB errors', () => {
  const culprit = (): { collection: string; id: string } => ({ collection: 'c', id: 'x' });

  it('maps E11000 to DuplicateKey with the culprit', () => {
    const mapped = mapMongoError(new MongoServerError({ message: 'E11000 duplicate key', code: 11000 }), { kind: 'write', culprit });
    expect(mapped).toBeInstanceOf(DuplicateKey);
    expect(mapped).toMatchObject({ collection: 'c', id: 'x' });
  });

  it('maps refused input to InvalidUpdate on writes and InvalidQuery on reads', () => {
    const typeMismatch = new MongoServerError({ message: 'Cannot apply $inc', code: 14 });
    expect(mapMongoError(typeMismatch, { kind: 'write' })).toBeInstanceOf(InvalidUpdate);
    expect(mapMongoError(new MongoServerError({ message: 'bad regex', code: 51091 }), { kind: 'read' })).toBeInstanceOf(InvalidQuery);
  });

  it('maps network trouble and a stepping-down primary to ReadStoreUnavailable', () => {
    expect(mapMongoError(new MongoNetworkError('connection reset'), { kind: 'read' })).toBeInstanceOf(ReadStoreUnavailable);
    expect(mapMongoError(new MongoServerError({ message: 'not primary', code: 10107 }), { kind: 'write' })).toBeInstanceOf(ReadStoreUnavailable);
  });

  it('leaves anything else alone', () => {
    const bug = new TypeError('a bug');
    expect(mapMongoError(bug, { kind: 'write' })).toBe(bug);
  });
});
