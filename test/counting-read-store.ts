import type {
  ApplyOptions, Document, DocumentOperation, Filter, FindOptions, FindPage, IndexSpec, ReadStore,
} from '../projections/read-store';

/** A real read store that counts the calls made through it (for the N+1 tests). */
export class CountingReadStore implements ReadStore {
  calls = 0;
  readonly byMethod = new Map<string, number>();

  constructor(private readonly inner: ReadStore) {}

  private tally(method: string): void {
    this.calls += 1;
    this.byMethod.set(method, (this.byMethod.get(method) ?? 0) + 1);
  }

  reset(): void {
    this.calls = 0;
    this.byMethod.clear();
  }

  ensureIndexes(collection: string, indexes: readonly IndexSpec[]): Promise<void> {
    this.tally('ensureIndexes');
    return this.inner.ensureIndexes(collection, indexes);
  }
  findById<T extends Document>(collection: string, id: string): Promise<T | null> {
    this.tally('findById');
    return this.inner.findById<T>(collection, id);
  }
  findByIds<T extends Document>(collection: string, ids: readonly string[]): Promise<readonly T[]> {
    this.tally('findByIds');
    return this.inner.findByIds<T>(collection, ids);
  }
  find<T extends Document>(collection: string, filter: Filter, options?: FindOptions): Promise<FindPage<T>> {
    this.tally('find');
    return this.inner.find<T>(collection, filter, options);
  }
  count(collection: string, filter: Filter): Promise<number> {
    this.tally('count');
    return this.inner.count(collection, filter);
  }
  apply(operations: readonly DocumentOperation[], options?: ApplyOptions): Promise<void> {
    this.tally('apply');
    return this.inner.apply(operations, options);
  }
  getCheckpoint(name: string): Promise<number | null> {
    this.tally('getCheckpoint');
    return this.inner.getCheckpoint(name);
  }
  drop(collections: readonly string[], checkpointName?: string): Promise<void> {
    this.tally('drop');
    return this.inner.drop(collections, checkpointName);
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}
