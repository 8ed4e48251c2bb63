/**
 * Structural checks both read-store adapters run before touching storage, so a filter, an
 * update or an index that one engine would reject is rejected by the other as well, with the
 * port's own errors, and a bad batch is refused before any of it is written.
 */
import { InvalidQuery, InvalidUpdate } from './errors';
import type { DocumentOperation, IndexSpec, JsonValue } from './read-store';
import { DEFAULT_FIND_LIMIT, MAX_FIND_LIMIT, POSITION_FIELD } from './read-store';

/** The MongoDB adapter keeps checkpoints in this collection, so no read model may use the name. */
export const CHECKPOINTS_COLLECTION = '_checkpoints';

const COLLECTION_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,119}$/;
/** Index paths are inlined into SQL (`json_extract(doc, '$.a.b')`), so they stay identifiers. */
const INDEX_SEGMENT = /^[A-Za-z_][A-Za-z0-9_]*$/;
const MAX_DEPTH = 24;

const FIELD_OPERATORS = new Set([
  '$eq', '$ne', '$gt', '$gte', '$lt', '$lte', '$in', '$nin', '$all',
  '$exists', '$type', '$not', '$regex', '$options', '$elemMatch', '$size',
]);
const LOGICAL_OPERATORS = new Set(['$and', '$or', '$nor']);
const UPDATE_OPERATORS = new Set(['$set', '$unset', '$inc', '$push', '$addToSet', '$min', '$max', '$setOnInsert']);

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Any non-array object; rows from native code (better-sqlite3) carry another realm's prototype under jest. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isJsonValue(value: unknown, depth = 0): value is JsonValue {
  if (depth > 64) return false;
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (Array.isArray(value)) return value.every((v) => isJsonValue(v, depth + 1));
  if (isPlainObject(value)) return Object.values(value).every((v) => isJsonValue(v, depth + 1));
  return false;
}

export function validateCollectionName(name: unknown, error: (message: string) => Error): string {
  if (typeof name !== 'string' || !COLLECTION_NAME.test(name) || name === CHECKPOINTS_COLLECTION) {
    throw error(`invalid collection name ${JSON.stringify(name)}`);
  }
  return name;
}

export const queryError = (message: string): Error => new InvalidQuery(message);
export const updateError = (message: string): Error => new InvalidUpdate(message);

function validFieldPath(path: string): boolean {
  return path.length > 0 && path.split('.').every((s) => s.length > 0 && !s.startsWith('$'));
}

/** Throws InvalidQuery unless `filter` is a filter both adapters evaluate the same way. */
export function validateFilter(filter: unknown, depth = 0): asserts filter is Record<string, unknown> {
  if (depth > MAX_DEPTH) throw new InvalidQuery('filter is nested too deeply');
  if (!isPlainObject(filter)) throw new InvalidQuery('a filter must be an object');
  for (const [key, value] of Object.entries(filter)) {
    if (key.startsWith('$')) {
      if (!LOGICAL_OPERATORS.has(key)) throw new InvalidQuery(`unsupported top-level operator ${key}`);
      if (!Array.isArray(value) || value.length === 0) throw new InvalidQuery(`${key} takes a non-empty array`);
      for (const clause of value) validateFilter(clause, depth + 1);
    } else {
      if (!validFieldPath(key)) throw new InvalidQuery(`invalid field path ${JSON.stringify(key)}`);
      validateCondition(key, value, depth + 1);
    }
  }
}

function isOperatorObject(value: unknown): value is Record<string, unknown> {
  return isPlainObject(value) && Object.keys(value).some((k) => k.startsWith('$'));
}

function validateCondition(field: string, value: unknown, depth: number): void {
  if (value === undefined) throw new InvalidQuery(`${field}: undefined is not a value`);
  if (!isOperatorObject(value)) return;
  for (const [op, arg] of Object.entries(value)) {
    if (!FIELD_OPERATORS.has(op)) throw new InvalidQuery(`${field}: unsupported operator ${op}`);
    validateOperator(field, op, arg, value, depth);
  }
}

function validateOperator(field: string, op: string, arg: unknown, all: Record<string, unknown>, depth: number): void {
  const fail = (why: string): never => {
    throw new InvalidQuery(`${field}: ${op} ${why}`);
  };
  switch (op) {
    case '$in':
    case '$nin':
    case '$all':
      if (!Array.isArray(arg)) fail('takes an array');
      return;
    case '$size':
      if (typeof arg !== 'number' || !Number.isInteger(arg) || arg < 0) fail('takes a non-negative integer');
      return;
    case '$exists':
      if (typeof arg !== 'boolean' && typeof arg !== 'number') fail('takes a boolean');
      return;
    case '$type': {
      const types: unknown[] = Array.isArray(arg) ? arg : [arg];
      if (types.length === 0 || !types.every((t) => typeof t === 'string' || typeof t === 'number')) fail('takes type names');
      return;
    }
    case '$regex':
      validateRegex(field, arg, all['$options']);
      return;
    case '$options':
      if (!('$regex' in all)) fail('needs $regex');
      return;
    case '$not':
      if (arg instanceof RegExp) return;
      if (!isOperatorObject(arg)) fail('takes a regular expression or an operator object');
      validateCondition(field, arg, depth + 1);
      return;
    case '$elemMatch':
      if (!isPlainObject(arg)) return fail('takes an object');
      // Conditions on the element itself ({$gt: 1}), or a filter on its fields ({v: 1, $or: [...]}).
      if (Object.keys(arg).length > 0 && Object.keys(arg).every((k) => FIELD_OPERATORS.has(k))) validateCondition(field, arg, depth + 1);
      else validateFilter(arg, depth + 1);
      return;
    default:
      if (arg === undefined) fail('takes a value');
  }
}

function validateRegex(field: string, pattern: unknown, options: unknown): void {
  if (options !== undefined && (typeof options !== 'string' || !/^[ims]*$/.test(options))) {
    throw new InvalidQuery(`${field}: $options may only hold i, m and s`);
  }
  if (pattern instanceof RegExp) return;
  if (typeof pattern !== 'string') throw new InvalidQuery(`${field}: $regex takes a string`);
  try {
    new RegExp(pattern, typeof options === 'string' ? options : '');
  } catch {
    throw new InvalidQuery(`${field}: invalid regular expression ${JSON.stringify(pattern)}`);
  }
}

/** Throws InvalidUpdate unless `update` uses only the port's operators, on distinct paths. */
export function validateUpdate(update: unknown): void {
  if (!isPlainObject(update)) throw new InvalidUpdate('an update must be an object');
  const keys = Object.keys(update);
  if (keys.length === 0) throw new InvalidUpdate('an update needs at least one operator');
  const paths: string[] = [];
  for (const [op, fields] of Object.entries(update)) {
    if (!UPDATE_OPERATORS.has(op)) throw new InvalidUpdate(`unsupported update operator ${op}`);
    if (!isPlainObject(fields)) throw new InvalidUpdate(`${op} takes an object`);
    for (const [path, arg] of Object.entries(fields)) {
      validateUpdatePath(path);
      validateUpdateArgument(op, path, arg);
      paths.push(path);
    }
  }
  assertNoConflicts(paths);
}

function validateUpdatePath(path: string): void {
  if (!validFieldPath(path)) throw new InvalidUpdate(`invalid update path ${JSON.stringify(path)}`);
  const head = path.split('.')[0];
  if (head === '_id' || head === POSITION_FIELD) throw new InvalidUpdate(`${head} cannot be updated`);
}

function validateUpdateArgument(op: string, path: string, arg: unknown): void {
  const fail = (why: string): never => {
    throw new InvalidUpdate(`${op} ${path}: ${why}`);
  };
  if (op === '$unset') return;
  if (op === '$inc') {
    if (typeof arg !== 'number' || !Number.isFinite(arg)) fail('takes a number');
    return;
  }
  if ((op === '$push' || op === '$addToSet') && isOperatorObject(arg)) {
    const allowed = op === '$push' ? ['$each', '$slice'] : ['$each'];
    if (Object.keys(arg).some((k) => !allowed.includes(k))) fail(`supports only ${allowed.join(' and ')}`);
    if (!Array.isArray(arg['$each'])) fail('$each takes an array');
    const slice = arg['$slice'];
    if (slice !== undefined && (typeof slice !== 'number' || !Number.isInteger(slice))) fail('$slice takes an integer');
    if (!isJsonValue(arg['$each'])) fail('values must be JSON');
    return;
  }
  if (!isJsonValue(arg)) fail('values must be JSON');
}

/** MongoDB refuses an update that touches one path twice, or a path and its parent. */
function assertNoConflicts(paths: readonly string[]): void {
  const sorted = [...paths].sort();
  for (let i = 1; i < sorted.length; i++) {
    const a = sorted[i - 1] ?? '';
    const b = sorted[i] ?? '';
    if (a === b || b.startsWith(`${a}.`)) throw new InvalidUpdate(`updating ${b} would conflict with ${a}`);
  }
}

export function validatePosition(position: unknown, what: string): number | undefined {
  if (position === undefined) return undefined;
  if (typeof position !== 'number' || !Number.isSafeInteger(position)) throw new InvalidUpdate(`${what} must be an integer`);
  return position;
}

/** Throws InvalidUpdate for an operation neither adapter could apply. */
export function validateOperation(operation: DocumentOperation): void {
  validateCollectionName(operation.collection, updateError);
  if (typeof operation.id !== 'string' || operation.id.length === 0) throw new InvalidUpdate('an operation needs an id');
  validatePosition(operation.position, 'an operation position');
  switch (operation.op) {
    case 'update':
      validateUpdate(operation.update);
      return;
    case 'replace': {
      const doc: unknown = operation.doc;
      if (!isPlainObject(doc) || !isJsonValue(doc)) throw new InvalidUpdate('a replacement must be a JSON object');
      if ('_id' in doc && doc['_id'] !== operation.id) throw new InvalidUpdate('a replacement cannot change _id');
      for (const key of Object.keys(doc)) {
        if (key.startsWith('$') || key.length === 0) throw new InvalidUpdate(`invalid field name ${JSON.stringify(key)}`);
      }
      return;
    }
    case 'delete':
      return;
    default:
      throw new InvalidUpdate('unknown operation');
  }
}

export function validateIndexSpecs(indexes: readonly IndexSpec[]): void {
  for (const spec of indexes) {
    const entries = isPlainObject(spec.fields) ? Object.entries(spec.fields) : [];
    if (entries.length === 0) throw new InvalidQuery('an index needs at least one field');
    for (const [path, dir] of entries) {
      if (!path.split('.').every((s) => INDEX_SEGMENT.test(s))) throw new InvalidQuery(`unsupported index path ${path}`);
      if (dir !== 1 && dir !== -1) throw new InvalidQuery(`index direction of ${path} must be 1 or -1`);
    }
  }
}

export function resolveLimit(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_FIND_LIMIT;
  if (!Number.isInteger(limit) || limit < 1) throw new InvalidQuery('limit must be a positive integer');
  return Math.min(limit, MAX_FIND_LIMIT);
}
