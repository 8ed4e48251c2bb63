/**
 * The ReadStore on MongoDB, kept thin: MongoDB already has the semantics the port describes.
 * `apply` is one transaction on a replica set (or sharded cluster); on a standalone server it is
 * an ordered bulk write per collection with the position guard in each filter, and the
 * checkpoint written after the operations with a monotonic guard.
 */
import { MongoClient, type ClientSession, type Collection, type Db, type Document as MongoDocument, type IndexDescription } from 'mongodb';
import { decodeCursor, encodeCursor, keysetFilter, normalizeSort } from '../cursor';
import { ReadStoreClosed, ReadStoreUnavailable } from '../errors';
import {
  CHECKPOINTS_COLLECTION, isRecord, queryError, resolveLimit, updateError, validateCollectionName, validateFilter,
  validateIndexSpecs, validateOperation, validatePosition,
} from '../query-validation';
import type { ApplyOptions, Checkpoint, Document, DocumentOperation, Filter, FindOptions, FindPage, IndexSpec, ReadStore } from '../read-store';
import { failedBulkIndex, isDuplicateKey, isNamespaceNotFound, mapMongoError, type ErrorContext } from './mongo-errors';
import {
  applicableOperations, docKey, mayCollideWhenSkipped, runsByCollection, writeModel,
  type KnownPosition, type Planned, type StoredDocument,
} from './mongo-operations';

export interface MongoReadStoreOptions {
  readonly url: string;
  /** Defaults to the database named in the URL. */
  readonly database?: string;
  readonly serverSelectionTimeoutMS?: number;
  /**
   * `auto` (default) uses a transaction per apply when the deployment supports them; `never`
   * forces the guarded bulk writes a standalone server gets (to test that path on a replica set).
   */
  readonly transactions?: 'auto' | 'never';
}

function isDocument(value: unknown): value is Document {
  return isRecord(value) && typeof value['_id'] === 'string';
}

function toDocument<T extends Document>(raw: unknown): T {
  if (!isDocument(raw)) throw new ReadStoreUnavailable('a stored document has no string _id');
  // The port lets the caller name its document type; the store can vouch only for a Document.
  return raw as T;
}

export class MongoReadStore implements ReadStore {
  private closed = false;

  private constructor(
    private readonly client: MongoClient,
    private readonly db: Db,
    /** Whether the deployment runs transactions (replica set or mongos). */
    readonly transactional: boolean,
  ) {}

  static async connect(options: MongoReadStoreOptions): Promise<MongoReadStore> {
    const client = new MongoClient(options.url, { serverSelectionTimeoutMS: options.serverSelectionTimeoutMS ?? 10_000 });
    try {
      await client.connect();
      const hello = await client.db('admin').command({ hello: 1 });
      const supported = typeof hello['setName'] === 'string' || hello['msg'] === 'isdbgrid';
      const transactional = supported && options.transactions !== 'never';
      return new MongoReadStore(client, client.db(options.database), transactional);
    } catch (error) {
      await client.close().catch(() => undefined);
      throw mapMongoError(error, { kind: 'read' });
    }
  }

  async ensureIndexes(collection: string, indexes: readonly IndexSpec[]): Promise<void> {
    this.assertOpen();
    validateCollectionName(collection, queryError);
    validateIndexSpecs(indexes);
    if (indexes.length === 0) return;
    const descriptions: IndexDescription[] = indexes.map((spec) => {
      const entries = Object.entries(spec.fields);
      // A non-unique index ends with _id (in the last field's direction): the store's sort is
      // always the fields then _id, so pages read straight off the index, without a blocking sort.
      const last = entries[entries.length - 1]?.[1] ?? 1;
      const key = spec.unique || '_id' in spec.fields ? { ...spec.fields } : { ...spec.fields, _id: last };
      return spec.unique ? { key, unique: true } : { key };
    });
    const culprit = (): { collection: string; id: string } => ({ collection, id: 'index' });
    await this.run({ kind: 'read', culprit }, () => this.collection(collection).createIndexes(descriptions));
  }

  async findById<T extends Document>(collection: string, id: string): Promise<T | null> {
    this.assertOpen();
    validateCollectionName(collection, queryError);
    const raw = await this.run({ kind: 'read' }, () => this.collection(collection).findOne({ _id: id }));
    return raw ? toDocument<T>(raw) : null;
  }

  async findByIds<T extends Document>(collection: string, ids: readonly string[]): Promise<readonly T[]> {
    this.assertOpen();
    validateCollectionName(collection, queryError);
    const unique = [...new Set(ids)];
    if (unique.length === 0) return [];
    const raws = await this.run({ kind: 'read' }, () => this.collection(collection).find({ _id: { $in: unique } }).toArray());
    const byId = new Map(raws.map((raw) => toDocument<T>(raw)).map((doc) => [doc._id, doc]));
    return unique.flatMap((id) => byId.get(id) ?? []);
  }

  async find<T extends Document>(collection: string, filter: Filter, options: FindOptions = {}): Promise<FindPage<T>> {
    this.assertOpen();
    validateCollectionName(collection, queryError);
    validateFilter(filter);
    const keys = normalizeSort(options.sort);
    const limit = resolveLimit(options.limit);
    const query = options.after === undefined ? filter : { $and: [filter, keysetFilter(keys, decodeCursor(options.after, keys))] };
    const sort: Record<string, 1 | -1> = Object.fromEntries(keys.map((k) => [k.field, k.dir]));
    const raws = await this.run({ kind: 'read' }, () => this.collection(collection).find(query, { sort, limit: limit + 1 }).toArray());
    const docs = raws.map((raw) => toDocument<T>(raw));
    const last = docs[limit - 1];
    return docs.length > limit && last ? { docs: docs.slice(0, limit), next: encodeCursor(keys, last) } : { docs, next: null };
  }

  async count(collection: string, filter: Filter): Promise<number> {
    this.assertOpen();
    validateCollectionName(collection, queryError);
    validateFilter(filter);
    return this.run({ kind: 'read' }, () => this.collection(collection).countDocuments(filter));
  }

  async apply(operations: readonly DocumentOperation[], options: ApplyOptions = {}): Promise<void> {
    this.assertOpen();
    for (const operation of operations) validateOperation(operation);
    const defaultPosition = validatePosition(options.position, 'the apply position');
    const { checkpoint } = options;
    if (checkpoint) {
      if (typeof checkpoint.name !== 'string' || checkpoint.name.length === 0) throw updateError('a checkpoint needs a name');
      validatePosition(checkpoint.position, 'the checkpoint position');
    }
    if (this.transactional) await this.applyInTransaction(operations, defaultPosition, checkpoint);
    else await this.applyGuarded(operations, defaultPosition, checkpoint);
  }

  private async applyInTransaction(
    operations: readonly DocumentOperation[],
    defaultPosition: number | undefined,
    checkpoint: Checkpoint | undefined,
  ): Promise<void> {
    let current: DocumentOperation | undefined;
    const context: ErrorContext = { kind: 'write', culprit: () => ({ collection: current?.collection ?? '', id: current?.id ?? '' }) };
    const session = this.client.startSession();
    try {
      await this.run(context, () =>
        session.withTransaction(async () => {
          const known = await this.positionsBefore(operations, session);
          const kept = applicableOperations(operations, defaultPosition, known);
          for (const run of runsByCollection(kept)) {
            const models = run.items.map((item) => writeModel(item.operation, item.position, false));
            current = run.items[0]?.operation;
            try {
              await this.collection(run.collection).bulkWrite(models, { session, ordered: true });
            } catch (error) {
              current = run.items[failedBulkIndex(error) ?? 0]?.operation;
              throw error;
            }
          }
          current = undefined;
          if (checkpoint) {
            await this.db
              .collection<{ _id: string; position: number }>(CHECKPOINTS_COLLECTION)
              .updateOne({ _id: checkpoint.name }, { $set: { position: checkpoint.position } }, { upsert: true, session });
          }
        }),
      );
    } finally {
      await session.endSession();
    }
  }

  /** The `_position` of every document the batch touches, read inside the transaction. */
  private async positionsBefore(operations: readonly DocumentOperation[], session: ClientSession): Promise<Map<string, KnownPosition>> {
    const known = new Map<string, KnownPosition>();
    const byCollection = new Map<string, Set<string>>();
    for (const op of operations) byCollection.set(op.collection, (byCollection.get(op.collection) ?? new Set()).add(op.id));
    for (const [collection, ids] of byCollection) {
      const found = await this
        .collection(collection)
        .find({ _id: { $in: [...ids] } }, { projection: { _position: 1 }, session })
        .toArray();
      for (const raw of found) {
        const position: unknown = raw['_position'];
        known.set(docKey(collection, raw._id), typeof position === 'number' ? position : 'unpositioned');
      }
    }
    return known;
  }

  /** Without transactions: not atomic, but each operation is guarded, so replaying the batch is safe. */
  private async applyGuarded(
    operations: readonly DocumentOperation[],
    defaultPosition: number | undefined,
    checkpoint: Checkpoint | undefined,
  ): Promise<void> {
    const planned: Planned[] = operations.map((operation) => {
      const position = operation.position ?? defaultPosition;
      return { operation, position, model: writeModel(operation, position, true) };
    });
    for (const run of runsByCollection(planned)) {
      let start = 0;
      while (start < run.items.length) {
        const rest = run.items.slice(start);
        try {
          await this.collection(run.collection).bulkWrite(
            rest.map((p) => p.model),
            { ordered: true },
          );
          break;
        } catch (error) {
          const index = failedBulkIndex(error);
          const failed = index === undefined ? undefined : rest[index];
          // The guard excluded an existing, newer document and the upsert then collided with it: skipped.
          if (index !== undefined && failed && isDuplicateKey(error) && mayCollideWhenSkipped(failed) && (await this.isNewer(failed))) {
            start += index + 1;
            continue;
          }
          const culprit = (): { collection: string; id: string } => ({ collection: run.collection, id: failed?.operation.id ?? '' });
          throw mapMongoError(error, { kind: 'write', culprit });
        }
      }
    }
    if (checkpoint) await this.advanceCheckpoint(checkpoint);
  }

  private async isNewer(planned: Planned): Promise<boolean> {
    const { operation, position } = planned;
    const raw = await this.run({ kind: 'write' }, () =>
      this.collection(operation.collection).findOne({ _id: operation.id }, { projection: { _position: 1 } }),
    );
    const seen: unknown = raw?.['_position'];
    return position !== undefined && typeof seen === 'number' && seen >= position;
  }

  private async advanceCheckpoint(checkpoint: Checkpoint): Promise<void> {
    const filter: MongoDocument = { _id: checkpoint.name, $or: [{ position: { $lt: checkpoint.position } }, { position: { $exists: false } }] };
    try {
      await this.collection(CHECKPOINTS_COLLECTION).updateOne(filter, { $set: { position: checkpoint.position } }, { upsert: true });
    } catch (error) {
      // Already at this position or beyond (a replayed batch): monotonic, so nothing to do.
      if (!isDuplicateKey(error)) throw mapMongoError(error, { kind: 'write' });
    }
  }

  async getCheckpoint(name: string): Promise<number | null> {
    this.assertOpen();
    const checkpoints = this.db.collection<{ _id: string; position: number }>(CHECKPOINTS_COLLECTION);
    const raw = await this.run({ kind: 'read' }, () => checkpoints.findOne({ _id: name }));
    return typeof raw?.position === 'number' ? raw.position : null;
  }

  async drop(collections: readonly string[], checkpointName?: string): Promise<void> {
    this.assertOpen();
    for (const c of collections) validateCollectionName(c, updateError);
    await this.run({ kind: 'write' }, async () => {
      for (const c of collections) {
        try {
          await this.collection(c).drop();
        } catch (error) {
          if (!isNamespaceNotFound(error)) throw error;
        }
      }
      if (checkpointName !== undefined) await this.db.collection<{ _id: string }>(CHECKPOINTS_COLLECTION).deleteOne({ _id: checkpointName });
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.client.close();
  }

  private collection(name: string): Collection<StoredDocument> {
    return this.db.collection<StoredDocument>(name);
  }

  private async run<R>(context: ErrorContext, fn: () => Promise<R>): Promise<R> {
    try {
      return await fn();
    } catch (error) {
      throw mapMongoError(error, context);
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new ReadStoreClosed();
  }
}
