/**
 * MongoDB update operators on a parsed document, evaluated by mingo's updater. mingo is more
 * lenient than MongoDB in a few places, so the type errors MongoDB raises are checked here first
 * and two cases mingo gets wrong on a missing field ($push with $slice, $addToSet with repeated
 * $each values) are turned into the `$set` MongoDB's result amounts to.
 */
import { update as mingoUpdate } from 'mingo';
import type { Modifier } from 'mingo/updater';
import { isEqual } from 'mingo/util';
import { InvalidUpdate } from '../errors';
import { isPlainObject } from '../query-validation';
import { applySimpleUpdate } from './update-fast';
import type { JsonValue, UpdateOperators } from '../read-store';

export type StoredDoc = Record<string, unknown> & { _id: string };

type Located =
  | { readonly kind: 'missing' }
  | { readonly kind: 'value'; readonly value: unknown }
  | { readonly kind: 'blocked'; readonly at: string };

/** What `path` holds in `doc`, or where an existing non-container value stands in its way. */
function locate(doc: Record<string, unknown>, path: string): Located {
  const segments = path.split('.');
  let current: unknown = doc;
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i] ?? '';
    let next: unknown;
    if (Array.isArray(current) && /^\d+$/.test(segment)) next = current[Number(segment)];
    else if (isPlainObject(current)) next = current[segment];
    else return { kind: 'blocked', at: segments.slice(0, i).join('.') };
    if (next === undefined) return { kind: 'missing' };
    current = next;
  }
  return { kind: 'value', value: current };
}

function dedupe(values: readonly JsonValue[]): JsonValue[] {
  const out: JsonValue[] = [];
  for (const v of values) if (!out.some((o) => isEqual(o, v))) out.push(v);
  return out;
}

function eachOf(arg: unknown): { each: readonly JsonValue[]; slice: number | undefined } | null {
  if (!isPlainObject(arg) || !Array.isArray(arg['$each'])) return null;
  const each: JsonValue[] = arg['$each'];
  const slice = arg['$slice'];
  return { each, slice: typeof slice === 'number' ? slice : undefined };
}

function sliced(values: readonly JsonValue[], slice: number | undefined): JsonValue[] {
  if (slice === undefined) return [...values];
  return slice >= 0 ? values.slice(0, slice) : values.slice(slice);
}

/** The checks MongoDB makes against the current document (mingo would silently skip these). */
function checkAgainst(doc: Record<string, unknown>, op: string, path: string): Located {
  const found = locate(doc, path);
  if (found.kind === 'blocked' && op !== '$unset') {
    throw new InvalidUpdate(`${op} ${path}: cannot create a field inside the non-object at ${found.at || '(root)'}`);
  }
  if (found.kind !== 'value') return found;
  if (op === '$inc' && typeof found.value !== 'number') throw new InvalidUpdate(`$inc ${path}: the field is not a number`);
  if ((op === '$push' || op === '$addToSet') && !Array.isArray(found.value)) {
    throw new InvalidUpdate(`${op} ${path}: the field is not an array`);
  }
  return found;
}

/**
 * Applies `update` to `doc` in place (a freshly parsed copy). `inserting` means the document is
 * being created by an upsert, which is when `$setOnInsert` applies.
 */
export function applyUpdate(doc: StoredDoc, update: UpdateOperators, inserting: boolean): StoredDoc {
  if (applySimpleUpdate(doc, update, inserting)) return doc;
  const modifier: Record<string, Record<string, unknown>> = {};
  const set: Record<string, unknown> = {};
  const put = (op: string, path: string, value: unknown): void => {
    modifier[op] = { ...modifier[op], [path]: value };
  };
  for (const [op, fields] of Object.entries(update)) {
    if (!isPlainObject(fields)) continue;
    if (op === '$setOnInsert' && !inserting) continue;
    for (const [path, arg] of Object.entries(fields)) {
      const found = checkAgainst(doc, op === '$setOnInsert' ? '$set' : op, path);
      const each = eachOf(arg);
      if (op === '$setOnInsert' || op === '$set') set[path] = arg;
      else if (op === '$push' && found.kind === 'missing') set[path] = each ? sliced(each.each, each.slice) : [arg];
      else if (op === '$addToSet' && found.kind === 'missing') set[path] = each ? dedupe(each.each) : [arg];
      else if (op === '$addToSet' && each) put(op, path, { $each: dedupe(each.each) });
      else put(op, path, arg);
    }
  }
  if (Object.keys(set).length > 0) modifier['$set'] = set;
  if (Object.keys(modifier).length === 0) return doc;
  const mingoModifier: Modifier<Record<string, unknown>> = modifier;
  try {
    mingoUpdate(doc, mingoModifier, undefined, undefined, { cloneMode: 'deep' });
  } catch (error) {
    throw new InvalidUpdate(error instanceof Error ? error.message : String(error));
  }
  return doc;
}
