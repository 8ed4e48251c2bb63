import { createHash } from 'node:crypto';
import type { Document, ReadStore } from '../projections/read-store';

/** A hash of every document of the collections, in _id order: equal read models hash equal. */
export async function readModelHash(rs: ReadStore, collections: readonly string[]): Promise<string> {
  const hash = createHash('sha256');
  for (const c of collections) {
    let after: string | undefined;
    for (;;) {
      const page = await rs.find<Document>(c, {}, { sort: { _id: 1 }, limit: 1000, ...(after ? { after } : {}) });
      for (const doc of page.docs) hash.update(`${c}\u0000${JSON.stringify(doc)}\n`);
      if (!page.next) break;
      after = page.next;
    }
  }
  return hash.digest('hex');
}
