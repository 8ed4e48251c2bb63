/** The one place MongoDB driver errors become the read store port's errors. */
import { MongoBulkWriteError, MongoError, MongoInvalidArgumentError, MongoNetworkError, MongoServerError, MongoServerSelectionError } from 'mongodb';
import { DuplicateKey, InvalidQuery, InvalidUpdate, ReadStoreError, ReadStoreUnavailable } from '../errors';

export const DUPLICATE_KEY_CODES: ReadonlySet<number> = new Set([11000, 11001]);
const NAMESPACE_NOT_FOUND = 26;

/** Server codes for input the server refused (BadValue, FailedToParse, TypeMismatch, PathNotViable, …). */
const BAD_INPUT_CODES: ReadonlySet<number> = new Set([2, 9, 14, 28, 40, 52, 55, 56, 57, 66, 67, 72, 85, 86, 17419, 51091]);

/** Codes of a server that is there but cannot serve now (stepping down, shutting down, unreachable). */
const UNAVAILABLE_CODES: ReadonlySet<number> = new Set([6, 7, 89, 91, 189, 262, 9001, 10107, 11600, 11602, 13435, 13436]);

export function errorCode(error: unknown): number | undefined {
  return error instanceof MongoError && typeof error.code === 'number' ? error.code : undefined;
}

export function isDuplicateKey(error: unknown): boolean {
  const code = errorCode(error);
  return code !== undefined && DUPLICATE_KEY_CODES.has(code);
}

export function isNamespaceNotFound(error: unknown): boolean {
  return errorCode(error) === NAMESPACE_NOT_FOUND;
}

/** Index of the failed operation in an ordered bulk write (the first write error). */
export function failedBulkIndex(error: unknown): number | undefined {
  if (!(error instanceof MongoBulkWriteError)) return undefined;
  const first = Array.isArray(error.writeErrors) ? error.writeErrors[0] : error.writeErrors;
  return first && !Array.isArray(first) && 'index' in first && typeof first.index === 'number' ? first.index : undefined;
}

export interface ErrorContext {
  /** Reads map bad input to InvalidQuery, writes to InvalidUpdate. */
  readonly kind: 'read' | 'write';
  /** The collection and document (or index) a duplicate key is reported against. */
  readonly culprit?: () => { readonly collection: string; readonly id: string };
}

/** Translates a driver error; an error that is already the port's passes through unchanged. */
export function mapMongoError(error: unknown, context: ErrorContext): unknown {
  if (error instanceof ReadStoreError) return error;
  const invalid = (message: string): ReadStoreError => (context.kind === 'read' ? new InvalidQuery(message) : new InvalidUpdate(message));
  if (error instanceof MongoNetworkError || error instanceof MongoServerSelectionError) {
    return new ReadStoreUnavailable(`MongoDB is unreachable: ${error.message}`, error);
  }
  if (error instanceof MongoInvalidArgumentError) return invalid(error.message);
  if (!(error instanceof MongoError)) return error;
  const code = errorCode(error);
  if (code !== undefined && DUPLICATE_KEY_CODES.has(code)) {
    const { collection, id } = context.culprit?.() ?? { collection: '', id: '' };
    return new DuplicateKey(collection, id);
  }
  if (code !== undefined && BAD_INPUT_CODES.has(code)) return invalid(error.message);
  if (
    (code !== undefined && UNAVAILABLE_CODES.has(code)) ||
    error.hasErrorLabel('RetryableWriteError') ||
    error.hasErrorLabel('TransientTransactionError')
  ) {
    return new ReadStoreUnavailable(`MongoDB cannot serve now: ${error.message}`, error);
  }
  // Any other server refusal of a query is about the query (MongoDB numbers its parse errors by location).
  if (error instanceof MongoServerError && context.kind === 'read') return new InvalidQuery(error.message);
  return error;
}
