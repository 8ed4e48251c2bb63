import { DomainError } from '../errors';

export class MetricNotFound extends DomainError {
  readonly code = 'METRIC_NOT_FOUND';
  constructor(readonly metricId: string) {
    super(`metric ${metricId} not found`);
  }
}

/** Defining a metric whose id is taken by another definition: revise it instead. */
export class MetricAlreadyDefined extends DomainError {
  readonly code = 'METRIC_ALREADY_DEFINED';
  constructor(
    readonly metricId: string,
    readonly version: number,
  ) {
    super(`metric ${metricId} is already defined (version ${version}); revise it to change it`);
  }
}

export class MetricIsRetired extends DomainError {
  readonly code = 'METRIC_RETIRED';
  constructor(readonly metricId: string) {
    super(`metric ${metricId} is retired`);
  }
}

/** The caller revised or retired on the strength of a version that is no longer the latest. */
export class MetricVersionConflict extends DomainError {
  readonly code = 'METRIC_VERSION_CONFLICT';
  constructor(
    readonly metricId: string,
    readonly expectedVersion: number,
    readonly actualVersion: number,
  ) {
    super(`metric ${metricId} is at version ${actualVersion}, not ${expectedVersion}`);
  }
}
