import type { CataloguedEventStore } from '../../events/catalogued-event-store';
import type { EventStore } from '../../events/event-store';
import type { HttpRoute } from '../../graph/routes';
import type { Logger } from '../../lib/logger';
import type { Projection } from '../../projections/projection';
import type { ReadStore } from '../../projections/read-store';
import type { Bus } from '../../services/bus/bus';
import type { Reactor } from '../../services/reactor';
import type { Config } from '../config';

/** What every feature is wired from: the stores, the bus, the clock, and the read models' progress. */
export interface FeatureDeps {
  readonly config: Config;
  /** The catalogued store: what services append is parsed against its schema first. */
  readonly store: CataloguedEventStore;
  /** The raw store, for the audit path (events exactly as stored). */
  readonly events: EventStore;
  readonly readStore: ReadStore;
  readonly bus: Bus;
  readonly now: () => Date;
  readonly logger: Logger;
  /** Resolves once the read models have applied a position (default wait 10 s). */
  readonly waitForProjection: (position: number, timeoutMs?: number) => Promise<void>;
  /** Whether this instance runs the projector and the reactors (FLYWHEEL_PROJECTOR). */
  readonly projecting: boolean;
}

/**
 * A feature, wired: the services the API calls (its slice of graph/context's Services), the
 * read models it keeps, the reactors it runs where the projector runs, the plain HTTP routes it
 * serves next to /graphql, and how it closes. `start` runs once the projector is up: work
 * that needs the read models (the bootstrap admin key, erasures a crash left half done).
 */
export interface FeatureParts<S> {
  readonly services: S;
  readonly projections: readonly Projection[];
  readonly reactors: readonly Reactor[];
  readonly routes: readonly HttpRoute[];
  start?(): Promise<void>;
  close(): Promise<void>;
}
