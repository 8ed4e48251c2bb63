/**
 * The updates projections make most (counters, timestamps, labels, small sets) applied without
 * mingo. mingo's updater builds a context with every expression and query operator on each call,
 * which costs far more than the update itself when a projector applies thousands of them per
 * transaction. Only cases whose MongoDB result is unambiguous are taken; anything else (array
 * paths, mixed types, `$each`, overlapping paths, type errors MongoDB would raise) returns false
 * and goes through mingo and its checks as before. The read-store contract suite runs over both.
 */
import { isRecord } from '../query-validation';
import type { UpdateOperators } from '../read-store';

type Doc = Record<string, unknown>;

const FAST_OPS = new Set(['$set', '$setOnInsert', '$inc', '$max', '$min', '$addToSet', '$unset']);
const SEGMENT = /^[A-Za-z_][A-Za-z0-9_-]*$/;
/** Strings that order the same in UTF-16 (JavaScript) and in UTF-8 bytes (MongoDB). */
const SAME_ORDER = /^[^\ud800-\uffff]*$/;

function isScalar(value: unknown): value is string | number | boolean | null {
  return value === null || typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value));
}

/** The parent object of `path` and the last key, creating missing parents when `create`; null when blocked. */
function parentOf(doc: Doc, segments: readonly string[], create: boolean): { parent: Doc; key: string } | null {
  let current: Doc = doc;
  for (let i = 0; i < segments.length - 1; i++) {
    const segment = segments[i] ?? '';
    const next = current[segment];
    if (next === undefined) {
      if (!create) return null;
      const made: Doc = {};
      current[segment] = made;
      current = made;
    } else if (isRecord(next)) {
      current = next;
    } else {
      return null;
    }
  }
  const key = segments[segments.length - 1];
  return key === undefined ? null : { parent: current, key };
}

function cloneJson(value: unknown): unknown {
  return value !== null && typeof value === 'object' ? JSON.parse(JSON.stringify(value)) : value;
}

interface Step {
  readonly op: string;
  readonly segments: readonly string[];
  readonly arg: unknown;
}

/** Checks one step against the document as it is; true when the fast path gives MongoDB's result. */
function applicable(doc: Doc, step: Step): boolean {
  const { op, segments, arg } = step;
  // Walk without creating: a non-object on the way is a case for mingo's error handling.
  let current: unknown = doc;
  for (let i = 0; i < segments.length - 1; i++) {
    if (current === undefined) break;
    if (!isRecord(current)) return false;
    current = current[segments[i] ?? ''];
  }
  if (current !== undefined && !isRecord(current)) return false;
  const existing = isRecord(current) ? current[segments[segments.length - 1] ?? ''] : undefined;
  switch (op) {
    case '$set':
    case '$setOnInsert':
    case '$unset':
      return true;
    case '$inc':
      return typeof arg === 'number' && Number.isFinite(arg) && (existing === undefined || typeof existing === 'number');
    case '$max':
    case '$min':
      return (
        (typeof arg === 'number' && Number.isFinite(arg) && (existing === undefined || typeof existing === 'number')) ||
        (typeof arg === 'string' && SAME_ORDER.test(arg) && (existing === undefined || (typeof existing === 'string' && SAME_ORDER.test(existing))))
      );
    case '$addToSet':
      return isScalar(arg) && (existing === undefined || (Array.isArray(existing) && existing.every(isScalar)));
  }
  return false;
}

function apply(doc: Doc, step: Step): void {
  const { op, segments, arg } = step;
  if (op === '$unset') {
    const at = parentOf(doc, segments, false);
    if (at) delete at.parent[at.key];
    return;
  }
  const at = parentOf(doc, segments, true);
  if (!at) return;
  const { parent, key } = at;
  const existing = parent[key];
  switch (op) {
    case '$set':
    case '$setOnInsert':
      parent[key] = cloneJson(arg);
      return;
    case '$inc':
      parent[key] = (typeof existing === 'number' ? existing : 0) + Number(arg);
      return;
    case '$max':
      if (existing === undefined || (typeof arg === 'number' && typeof existing === 'number' ? arg > existing : String(arg) > String(existing))) parent[key] = arg;
      return;
    case '$min':
      if (existing === undefined || (typeof arg === 'number' && typeof existing === 'number' ? arg < existing : String(arg) < String(existing))) parent[key] = arg;
      return;
    case '$addToSet':
      if (existing === undefined) parent[key] = [arg];
      else if (Array.isArray(existing) && !existing.includes(arg)) existing.push(arg);
      return;
  }
}

/**
 * Applies `update` to `doc` in place when every part of it is a fast case; returns false, with
 * `doc` untouched, when any part is not.
 */
export function applySimpleUpdate(doc: Doc, update: UpdateOperators, inserting: boolean): boolean {
  const steps: Step[] = [];
  const paths: string[] = [];
  for (const [op, fields] of Object.entries(update)) {
    if (!FAST_OPS.has(op) || !isRecord(fields)) return false;
    for (const [path, arg] of Object.entries(fields)) {
      const segments = path.split('.');
      if (!segments.every((s) => SEGMENT.test(s)) || segments[0] === '_id') return false;
      paths.push(path);
      if (op === '$setOnInsert' && !inserting) continue;
      steps.push({ op, segments, arg });
    }
  }
  // Two operators on one path, or on a path and its parent, are MongoDB errors: mingo's to report.
  const sorted = [...paths].sort();
  for (let i = 1; i < sorted.length; i++) {
    const previous = sorted[i - 1] ?? '';
    const current = sorted[i] ?? '';
    if (current === previous || current.startsWith(`${previous}.`)) return false;
  }
  if (!steps.every((step) => applicable(doc, step))) return false;
  for (const step of steps) apply(doc, step);
  return true;
}
