/**
 * The read side's document store, with MongoDB's semantics so the embedded adapter and the
 * MongoDB adapter are interchangeable. Read models are written only through `apply`, which
 * commits a batch of operations together with the read model's checkpoint.
 */

export type Scalar = string | number | boolean | null;
export type JsonValue = Scalar | JsonValue[] | { [key: string]: JsonValue };

export interface Document {
  readonly _id: string;
  readonly [field: string]: JsonValue | undefined;
}

/** A MongoDB query filter (`$eq $ne $gt $gte $lt $lte $in $nin $exists $and $or $not $regex $elemMatch $size`). */
export type Filter = Readonly<Record<string, unknown>>;

/** `{ field: 1 | -1 }`, applied in key order; `_id` breaks ties when absent. */
export type Sort = Readonly<Record<string, 1 | -1>>;

export interface UpdateOperators {
  readonly $set?: Readonly<Record<string, JsonValue>>;
  readonly $unset?: Readonly<Record<string, true | '' | 1>>;
  readonly $inc?: Readonly<Record<string, number>>;
  readonly $push?: Readonly<Record<string, JsonValue | { $each: readonly JsonValue[]; $slice?: number }>>;
  readonly $addToSet?: Readonly<Record<string, JsonValue | { $each: readonly JsonValue[] }>>;
  readonly $min?: Readonly<Record<string, JsonValue>>;
  readonly $max?: Readonly<Record<string, JsonValue>>;
  readonly $setOnInsert?: Readonly<Record<string, JsonValue>>;
}

interface OperationBase {
  readonly collection: string;
  readonly id: string;
  /**
   * Global position of the event this operation comes from; overrides `ApplyOptions.position`
   * so one `apply` (one transaction) can carry the operations of many events, each guarded by
   * its own position.
   */
  readonly position?: number;
}

export type DocumentOperation =
  | (OperationBase & {
      readonly op: 'update';
      readonly update: UpdateOperators;
      /** Create the document (`{ _id: id }` plus the update) when it does not exist. */
      readonly upsert?: boolean;
    })
  | (OperationBase & { readonly op: 'replace'; readonly doc: Omit<Document, '_id'> })
  | (OperationBase & { readonly op: 'delete' });

export interface FindOptions {
  readonly sort?: Sort;
  /** Default 100, at most 10,000. */
  readonly limit?: number;
  /** Opaque cursor from a previous page's `next`: continue after that document in the same sort. */
  readonly after?: string;
}

export interface FindPage<T extends Document> {
  readonly docs: readonly T[];
  /** Cursor for the next page, or null when there is none. */
  readonly next: string | null;
}

export interface IndexSpec {
  /** Fields in order, with their direction. */
  readonly fields: Readonly<Record<string, 1 | -1>>;
  readonly unique?: boolean;
}

export interface Checkpoint {
  readonly name: string;
  readonly position: number;
}

export interface ApplyOptions {
  /** Written atomically with the operations. */
  readonly checkpoint?: Checkpoint;
  /**
   * Global position of the event the operations come from. Each touched document records it
   * (`_position`), and an operation on a document that has already seen this position or a
   * later one is skipped, so re-applying an event is a no-op even without a transaction.
   */
  readonly position?: number;
}

export interface ReadStore {
  ensureIndexes(collection: string, indexes: readonly IndexSpec[]): Promise<void>;
  findById<T extends Document>(collection: string, id: string): Promise<T | null>;
  /** One call for many ids (dataloaders); missing ids are simply absent from the result. */
  findByIds<T extends Document>(collection: string, ids: readonly string[]): Promise<readonly T[]>;
  find<T extends Document>(collection: string, filter: Filter, options?: FindOptions): Promise<FindPage<T>>;
  count(collection: string, filter: Filter): Promise<number>;
  apply(operations: readonly DocumentOperation[], options?: ApplyOptions): Promise<void>;
  getCheckpoint(name: string): Promise<number | null>;
  /** Removes the collections' documents and indexes and the named checkpoint (for a rebuild). */
  drop(collections: readonly string[], checkpointName?: string): Promise<void>;
  close(): Promise<void>;
}

export const POSITION_FIELD = '_position';
export const MAX_FIND_LIMIT = 10_000;
export const DEFAULT_FIND_LIMIT = 100;
