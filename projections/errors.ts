/** The read store port's own errors; adapters map driver failures onto these. */
export abstract class ReadStoreError extends Error {
  abstract readonly code: string;
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

export class InvalidQuery extends ReadStoreError {
  readonly code = 'INVALID_QUERY';
}

export class InvalidUpdate extends ReadStoreError {
  readonly code = 'INVALID_UPDATE';
}

export class InvalidCursor extends ReadStoreError {
  readonly code = 'INVALID_CURSOR';
}

export class DuplicateKey extends ReadStoreError {
  readonly code = 'DUPLICATE_KEY';
  constructor(
    readonly collection: string,
    readonly id: string,
  ) {
    super(`${collection}: duplicate key for ${id}`);
  }
}

export class ReadStoreUnavailable extends ReadStoreError {
  readonly code = 'READ_STORE_UNAVAILABLE';
  constructor(
    message: string,
    override readonly cause?: unknown,
  ) {
    super(message);
  }
}

export class ReadStoreClosed extends ReadStoreError {
  readonly code = 'READ_STORE_CLOSED';
  constructor() {
    super('the read store is closed');
  }
}
