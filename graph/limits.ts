import { GraphQLError, Kind, visit, type DocumentNode } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { GraphContext } from './context';

function tooLarge(path: string, bytes: number, max: number): GraphQLError {
  return new GraphQLError(`${path} is ${bytes} bytes; a field may hold at most ${max} bytes`, {
    extensions: { code: 'FIELD_TOO_LARGE', field: path, bytes, max, http: { status: 413 } },
  });
}

function findOversize(value: unknown, path: string, max: number): GraphQLError | null {
  if (typeof value === 'string') {
    // Cheap bound first: a UTF-8 byte count only matters once the UTF-16 length could exceed it.
    if (value.length * 3 <= max) return null;
    const bytes = Buffer.byteLength(value, 'utf8');
    return bytes > max ? tooLarge(path, bytes, max) : null;
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findOversize(value[i], `${path}.${i}`, max);
      if (found) return found;
    }
    return null;
  }
  if (value && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      const found = findOversize(inner, path ? `${path}.${key}` : key, max);
      if (found) return found;
    }
  }
  return null;
}

function findOversizeLiteral(document: DocumentNode, max: number): GraphQLError | null {
  let found: GraphQLError | null = null;
  visit(document, {
    [Kind.STRING](node) {
      if (found) return;
      const bytes = Buffer.byteLength(node.value, 'utf8');
      if (bytes > max) found = tooLarge('a string literal in the query', bytes, max);
    },
  });
  return found;
}

/** Refuses any single string (in variables or inline) over `maxBytes`, naming where it is. */
export function useFieldSizeLimit(maxBytes: number): Plugin<GraphContext> {
  return {
    onParams({ params }) {
      const found = findOversize(params.variables ?? {}, 'variables', maxBytes);
      if (found) throw found;
    },
    onExecute({ args }) {
      const found = findOversizeLiteral(args.document, maxBytes);
      if (found) throw found;
    },
  };
}

interface Bucket {
  tokens: number;
  updatedAt: number;
}

/**
 * Per-caller token bucket: `perSecond` operations a second, bursts up to one second's worth.
 * Keyed by API key (or feedback token's interaction); anonymous calls share one bucket per
 * client address.
 */
export function useRateLimit(options: { perSecond: number; now?: () => number; maxKeys?: number }): Plugin<GraphContext> {
  const buckets = new Map<string, Bucket>();
  const now = options.now ?? (() => performance.now());
  const maxKeys = options.maxKeys ?? 100_000;
  const take = (key: string): boolean => {
    const t = now();
    let bucket = buckets.get(key);
    if (!bucket) {
      if (buckets.size >= maxKeys) buckets.delete(buckets.keys().next().value ?? '');
      bucket = { tokens: options.perSecond, updatedAt: t };
      buckets.set(key, bucket);
    }
    bucket.tokens = Math.min(options.perSecond, bucket.tokens + ((t - bucket.updatedAt) / 1000) * options.perSecond);
    bucket.updatedAt = t;
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  };
  const check = (context: GraphContext): void => {
    if (take(context.rateLimitKey)) return;
    throw new GraphQLError(`rate limit exceeded: at most ${options.perSecond} operations per second for this caller`, {
      extensions: { code: 'RATE_LIMITED', http: { status: 429, headers: { 'retry-after': '1' } } },
    });
  };
  return {
    onExecute: ({ args }) => check(args.contextValue),
    onSubscribe: ({ args }) => check(args.contextValue),
  };
}
