/**
 * Document operations as MongoDB write models, with the per-document position guard, and the
 * replay of that guard in memory for transactions (where a guarded upsert that hits an existing,
 * newer document would raise E11000 and abort the whole transaction).
 */
import type { AnyBulkWriteOperation, Filter, Document as MongoDocument } from 'mongodb';
import type { DocumentOperation } from '../read-store';
import { POSITION_FIELD } from '../read-store';

/** Documents as this store keeps them: string ids, JSON fields. */
export interface StoredDocument {
  _id: string;
  [field: string]: unknown;
}

/** `{_id}` only, or `{_id}` plus "this document has not seen `position` yet". */
export function guardFilter(id: string, position: number | undefined): Filter<StoredDocument> {
  if (position === undefined) return { _id: id };
  return { _id: id, $or: [{ [POSITION_FIELD]: { $lt: position } }, { [POSITION_FIELD]: { $exists: false } }] };
}

export interface Planned {
  readonly operation: DocumentOperation;
  readonly position: number | undefined;
  readonly model: AnyBulkWriteOperation<StoredDocument>;
}

export function writeModel(operation: DocumentOperation, position: number | undefined, guarded: boolean): AnyBulkWriteOperation<StoredDocument> {
  const filter = guarded ? guardFilter(operation.id, position) : { _id: operation.id };
  const stamp = position === undefined ? {} : { [POSITION_FIELD]: position };
  switch (operation.op) {
    case 'delete':
      return { deleteOne: { filter } };
    case 'replace': {
      const replacement: MongoDocument = { ...operation.doc, ...stamp };
      delete replacement['_id'];
      return { replaceOne: { filter, replacement, upsert: true } };
    }
    case 'update': {
      // The port's operators are MongoDB's own; only the position stamp is added.
      const update: MongoDocument =
        position === undefined ? { ...operation.update } : { ...operation.update, $set: { ...operation.update.$set, ...stamp } };
      return { updateOne: { filter, update, upsert: operation.upsert === true } };
    }
  }
}

/** A guarded upsert can fail with E11000 when the guard excludes an existing document: that is the skip. */
export function mayCollideWhenSkipped(planned: Planned): boolean {
  const { operation, position } = planned;
  return position !== undefined && (operation.op === 'replace' || (operation.op === 'update' && operation.upsert === true));
}

/** What a document's `_position` is known to be: absent document, present without one, or a number. */
export type KnownPosition = 'absent' | 'unpositioned' | number;

export function docKey(collection: string, id: string): string {
  return `${collection}\u0000${id}`;
}

/**
 * Replays the guard over the batch, in order, from the documents' positions before it, and keeps
 * the operations that will apply. Inside a transaction nothing else writes these documents
 * meanwhile (a concurrent write is a write conflict, and the transaction is retried).
 */
export function applicableOperations(
  operations: readonly DocumentOperation[],
  defaultPosition: number | undefined,
  known: Map<string, KnownPosition>,
): { readonly operation: DocumentOperation; readonly position: number | undefined }[] {
  const kept: { operation: DocumentOperation; position: number | undefined }[] = [];
  for (const operation of operations) {
    const key = docKey(operation.collection, operation.id);
    const position = operation.position ?? defaultPosition;
    const state = known.get(key) ?? 'absent';
    if (position !== undefined && typeof state === 'number' && state >= position) continue;
    if (operation.op === 'update' && state === 'absent' && operation.upsert !== true) continue;
    kept.push({ operation, position });
    if (operation.op === 'delete') known.set(key, 'absent');
    else if (position !== undefined) known.set(key, position);
    else if (operation.op === 'replace') {
      const own = operation.doc[POSITION_FIELD];
      known.set(key, typeof own === 'number' ? own : 'unpositioned');
    } else if (state === 'absent') known.set(key, 'unpositioned');
  }
  return kept;
}

/** Consecutive runs of one collection: a bulk write addresses one collection, and order matters. */
export function runsByCollection<T extends { readonly operation: DocumentOperation }>(items: readonly T[]): { collection: string; items: T[] }[] {
  const runs: { collection: string; items: T[] }[] = [];
  for (const item of items) {
    const last = runs[runs.length - 1];
    if (last && last.collection === item.operation.collection) last.items.push(item);
    else runs.push({ collection: item.operation.collection, items: [item] });
  }
  return runs;
}
