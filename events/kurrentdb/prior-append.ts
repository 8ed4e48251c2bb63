import { END } from '@kurrent/kurrentdb-client';
import { InvalidEvent } from '../errors';
import type { AppendResult } from '../event-store';
import { positionOf, toSafeNumber, type ClientResolvedEvent } from './kurrentdb-mapping';

/** What a stream already holds of an append's ids. */
export type PriorAppend =
  /** None of them: `lastRevision` is the stream's last revision (-1 when it does not exist). */
  | { readonly kind: 'none'; readonly lastRevision: number }
  /** All of them, consecutive and in the same order: the earlier append's result. */
  | { readonly kind: 'original'; readonly result: AppendResult }
  /** Some of them, or all but not as one block in order. */
  | { readonly kind: 'overlap'; readonly ids: readonly string[] };

/** Reads a stream backwards: `maxCount` items from `fromRevision` (inclusive) or from the end. */
export type ReadBackwards = (fromRevision: bigint | typeof END, maxCount: number) => Promise<readonly ClientResolvedEvent[]>;

export const SCAN_PAGE = 500;

/**
 * KurrentDB has no index by event id, so this walks the stream from its end. A retry usually
 * follows its original closely, so it is found after a page; a fresh append reads the whole
 * stream. Ids compare case-insensitively (the server hands UUIDs back in its own case).
 *
 * When the repeated ids are a prefix of a longer earlier append, the result is that of the last
 * repeated event: KurrentDB does not record where one append ended and the next began.
 */
export async function findPriorAppend(ids: readonly string[], read: ReadBackwards, pageSize = SCAN_PAGE): Promise<PriorAppend> {
  const wanted = new Set(ids.map((id) => id.toLowerCase()));
  const found = new Map<string, { revision: number; position: number | undefined }>();
  let lastRevision = -1;
  let from: bigint | typeof END = END;
  // An empty append only needs the stream's last revision.
  const size = wanted.size === 0 ? 1 : pageSize;
  for (;;) {
    const page = await read(from, size);
    let lowest: number | undefined;
    for (const item of page) {
      if (!item.event) continue;
      const revision = toSafeNumber(item.event.revision, 'revision');
      lastRevision = Math.max(lastRevision, revision);
      lowest = revision;
      const id = item.event.id.toLowerCase();
      // Scanning backwards, the first sighting is the newest; an older duplicate cannot change the answer.
      if (wanted.has(id) && !found.has(id)) found.set(id, { revision, position: positionOf(item) });
    }
    if (found.size === wanted.size || page.length < size || lowest === undefined || lowest === 0) break;
    from = BigInt(lowest - 1);
  }
  return classify(ids, found, lastRevision);
}

function classify(
  ids: readonly string[],
  found: ReadonlyMap<string, { revision: number; position: number | undefined }>,
  lastRevision: number,
): PriorAppend {
  if (found.size === 0) return { kind: 'none', lastRevision };
  const hits = ids.map((id) => found.get(id.toLowerCase()));
  const first = hits[0];
  const block = first !== undefined && hits.every((hit, i) => hit !== undefined && hit.revision === first.revision + i);
  const last = hits[hits.length - 1];
  if (block && last) {
    if (last.position === undefined)
      throw new InvalidEvent('(append)', [{ path: 'position', message: `the server reported no position for revision ${last.revision}` }]);
    return { kind: 'original', result: { lastRevision: last.revision, position: last.position } };
  }
  return { kind: 'overlap', ids: ids.filter((id) => found.has(id.toLowerCase())) };
}
