import type Database from 'better-sqlite3';
import type { AllFilter } from '../event-store';
import { EVENT_COLUMNS, type EventRow } from './schema';

/**
 * Reads of `$all` (readAll and subscriptions) as index walks in position order, so a page costs
 * about its own size whatever the store holds:
 *
 * - no filter: the table itself (the rowid is the position);
 * - stream prefixes: one walk of the (category) index per prefix, the rest of a longer prefix
 *   checked on the rows met; a prefix without a dash (part of a category name) cannot use that
 *   index and scans by position instead;
 * - event types only: one walk of the (type) index per type.
 *
 * Several walks are merged with UNION ALL, each limited to the page size, then sorted and
 * limited again: at most (walks × page) rows are looked at. Prefixes are normalised so no two
 * overlap, which keeps the walks disjoint and the union free of duplicates.
 */

export type Direction = 'forwards' | 'backwards';

type PrefixWalk =
  /** A prefix that ends a category: `interaction-`. */
  | { readonly kind: 'category'; readonly category: string }
  /** A prefix that goes into the stream id: `interaction-42`. */
  | { readonly kind: 'within'; readonly category: string; readonly prefix: string }
  /** A prefix of category names only: `inter`. */
  | { readonly kind: 'scan'; readonly prefix: string };

export interface NormalizedFilter {
  readonly types: readonly string[];
  readonly prefixes: readonly PrefixWalk[];
}

/** Empty lists are treated as absent: "no types chosen" filters nothing out. */
export function normalizeFilter(filter: AllFilter | undefined): NormalizedFilter | undefined {
  const types = [...new Set(filter?.eventTypes ?? [])].sort();
  const rawPrefixes = [...new Set(filter?.streamPrefixes ?? [])].filter((p) => p.length > 0);
  // An empty prefix matches every stream, so it cancels the prefix filter altogether.
  const matchesAll = (filter?.streamPrefixes ?? []).includes('');
  const prefixes = matchesAll
    ? []
    : rawPrefixes
        .filter((p) => !rawPrefixes.some((other) => other !== p && p.startsWith(other)))
        .sort()
        .map(toWalk);
  if (types.length === 0 && prefixes.length === 0) return undefined;
  return { types, prefixes };
}

function toWalk(prefix: string): PrefixWalk {
  const dash = prefix.indexOf('-');
  if (dash < 0) return { kind: 'scan', prefix };
  const category = prefix.slice(0, dash);
  return dash === prefix.length - 1 ? { kind: 'category', category } : { kind: 'within', category, prefix };
}

export interface RangeParams {
  /** Exclusive lower bound forwards, exclusive upper bound backwards. */
  readonly after: number;
  /** Inclusive upper bound (forwards only); subscriptions use it to pin a snapshot of the head. */
  readonly upTo: number;
  readonly limit: number;
}

type Params = Record<string, string | number>;

/** Prepared statements per query shape; a shape depends on the filter's structure, not its values. */
export class AllQuery {
  private readonly cache = new Map<string, Database.Statement<[Params], EventRow>>();

  constructor(private readonly db: Database.Database) {}

  /** Rows in the direction's order; iterate lazily so a caller can stop early (byte budgets). */
  rows(direction: Direction, range: RangeParams, filter: NormalizedFilter | undefined): IterableIterator<EventRow> {
    const params: Params = { after: range.after, upTo: range.upTo, limit: range.limit };
    const sql = buildSql(direction, filter, params);
    let statement = this.cache.get(sql);
    if (!statement) {
      statement = this.db.prepare<[Params], EventRow>(sql);
      this.cache.set(sql, statement);
    }
    return statement.iterate(params);
  }
}

/** Exposed for the query-plan test. */
export function buildSql(direction: Direction, filter: NormalizedFilter | undefined, params: Params): string {
  const bound = direction === 'forwards' ? 'position > @after AND position <= @upTo' : 'position < @after';
  const order = direction === 'forwards' ? 'ASC' : 'DESC';
  const tail = `ORDER BY position ${order} LIMIT @limit`;
  if (!filter) return `SELECT ${EVENT_COLUMNS} FROM events WHERE ${bound} ${tail}`;

  const typeList = filter.types.map((t, i) => {
    params[`t${i}`] = t;
    return `@t${i}`;
  });
  const walks: string[] = [];
  if (filter.prefixes.length > 0) {
    // Prefixes drive; types (if any) are checked on the rows each prefix walk meets.
    const typeCheck = typeList.length > 0 ? ` AND type IN (${typeList.join(', ')})` : '';
    filter.prefixes.forEach((walk, i) => {
      walks.push(`SELECT ${EVENT_COLUMNS} FROM events ${prefixWhere(walk, i, params)} AND ${bound}${typeCheck} ${tail}`);
    });
  } else {
    typeList.forEach((t) => {
      walks.push(`SELECT ${EVENT_COLUMNS} FROM events INDEXED BY events_type WHERE type = ${t} AND ${bound} ${tail}`);
    });
  }
  if (walks.length === 1) return walks[0] ?? '';
  return `${walks.map((w) => `SELECT * FROM (${w})`).join(' UNION ALL ')} ${tail}`;
}

function prefixWhere(walk: PrefixWalk, i: number, params: Params): string {
  switch (walk.kind) {
    case 'category':
      params[`c${i}`] = walk.category;
      return `INDEXED BY events_category WHERE category = @c${i}`;
    case 'within':
      params[`c${i}`] = walk.category;
      params[`p${i}`] = walk.prefix;
      params[`n${i}`] = codePoints(walk.prefix);
      return `INDEXED BY events_category WHERE category = @c${i} AND substr(stream, 1, @n${i}) = @p${i}`;
    case 'scan':
      params[`p${i}`] = walk.prefix;
      params[`n${i}`] = codePoints(walk.prefix);
      // NOT INDEXED: walking by position is what keeps the page cheap when matches are common;
      // the stream index would find every match first and sort them.
      return `NOT INDEXED WHERE substr(stream, 1, @n${i}) = @p${i}`;
  }
}

/** SQLite's substr counts characters (code points), JavaScript's length counts UTF-16 units. */
function codePoints(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}
