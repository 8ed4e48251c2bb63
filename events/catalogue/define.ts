import { z } from 'zod';
import type { CausalMetadata, EventMetadata, NewEvent, RecordedEvent } from '../envelope';
import { assertEventType } from '../envelope';
import { InvalidEvent, InvalidEventType } from '../errors';

/**
 * One event type: its current schema plus every older version's schema with the upcaster
 * that lifts it one version up. Published shapes are never edited: a change adds a version.
 */
export interface EventDefinition<TType extends string, TData> {
  readonly type: TType;
  readonly version: number;
  readonly schema: z.ZodType<TData>;
  /** Older versions, keyed by version number; each lifts its data to version + 1. */
  readonly history: ReadonlyMap<number, { readonly schema: z.ZodType; readonly upcast: (data: unknown) => unknown }>;
  /**
   * The one way to build a new event of this type: the type and the current schema version
   * come from the definition, so no caller can pair data with the wrong version.
   */
  create(event: { readonly id: string; readonly data: TData; readonly metadata: CausalMetadata }): NewEvent<TType, TData>;
}

function definition<TType extends string, TData>(
  type: TType,
  version: number,
  schema: z.ZodType<TData>,
  history: EventDefinition<TType, TData>['history'],
): EventDefinition<TType, TData> {
  return {
    type,
    version,
    schema,
    history,
    create: ({ id, data, metadata }) => ({ id, type, data, metadata: { ...metadata, schemaVersion: version } }),
  };
}

interface OlderVersion<TFrom, TTo> {
  readonly schema: z.ZodType<TFrom>;
  readonly upcast: (data: TFrom) => TTo;
}

export function defineEvent<TType extends string, TData>(type: TType, schema: z.ZodType<TData>): EventDefinition<TType, TData> {
  assertEventType(type);
  return definition(type, 1, schema, new Map());
}

/**
 * A new version of an event type: `previous` stays readable, lifted by `upcast`.
 * `withVersion(defineEvent('X', v1), v2Schema, v1 => v2)` reads every stored v1 as v2.
 */
export function withVersion<TType extends string, TPrevious, TData>(
  previous: EventDefinition<TType, TPrevious>,
  schema: z.ZodType<TData>,
  upcast: (data: TPrevious) => TData,
): EventDefinition<TType, TData> {
  const step: OlderVersion<TPrevious, TData> = { schema: previous.schema, upcast };
  const history = new Map(previous.history);
  history.set(previous.version, {
    schema: step.schema,
    upcast: (data: unknown) => step.upcast(step.schema.parse(data)),
  });
  return definition(previous.type, previous.version + 1, schema, history);
}

function issuesOf(error: z.ZodError): { path: string; message: string }[] {
  return error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
}

type AnyDefinition = EventDefinition<string, unknown>;

/** The event shapes a catalogue produces: a discriminated union by `type`. */
export type EventOf<TDefs extends readonly AnyDefinition[]> = {
  [K in keyof TDefs]: TDefs[K] extends EventDefinition<infer TType, infer TData> ? RecordedEvent<TType, TData> : never;
}[number];

export type NewEventOf<TDefs extends readonly AnyDefinition[]> = {
  [K in keyof TDefs]: TDefs[K] extends EventDefinition<infer TType, infer TData> ? NewEvent<TType, TData> : never;
}[number];

/**
 * Parses events at the store's boundary: new events against their current schema (stamping
 * the schema version), stored events through their upcasters to the current version.
 */
export class EventCatalogue<TDefs extends readonly AnyDefinition[]> {
  private readonly byType = new Map<string, AnyDefinition>();

  constructor(readonly definitions: TDefs) {
    for (const def of definitions) {
      if (this.byType.has(def.type)) throw new Error(`event type ${def.type} is defined twice`);
      this.byType.set(def.type, def);
    }
  }

  has(type: string): boolean {
    return this.byType.has(type);
  }

  types(): string[] {
    return [...this.byType.keys()];
  }

  /** Validates a new event against its type's current schema; throws InvalidEvent. */
  parseNew<E extends NewEvent>(event: E): E {
    const def = this.definition(event.type);
    const parsed = def.schema.safeParse(event.data);
    if (!parsed.success) throw new InvalidEvent(event.type, issuesOf(parsed.error));
    const metadata: EventMetadata = { ...event.metadata, schemaVersion: def.version };
    return { ...event, data: parsed.data, metadata };
  }

  /** Lifts a stored event to its type's current version and parses it; throws InvalidEvent. */
  parseRecorded(event: RecordedEvent): EventOf<TDefs> {
    const def = this.definition(event.type);
    let version = event.metadata.schemaVersion;
    if (!Number.isInteger(version) || version < 1 || version > def.version) {
      throw new InvalidEvent(event.type, [{ path: 'metadata.schemaVersion', message: `unknown version ${version}` }]);
    }
    let data: unknown = event.data;
    try {
      while (version < def.version) {
        const step = def.history.get(version);
        if (!step) throw new InvalidEvent(event.type, [{ path: 'metadata.schemaVersion', message: `no upcaster from v${version}` }]);
        data = step.upcast(data);
        version += 1;
      }
    } catch (error) {
      if (error instanceof z.ZodError) throw new InvalidEvent(event.type, issuesOf(error));
      throw error;
    }
    const parsed = def.schema.safeParse(data);
    if (!parsed.success) throw new InvalidEvent(event.type, issuesOf(parsed.error));
    const upcast = { ...event, data: parsed.data, metadata: { ...event.metadata, schemaVersion: def.version } };
    return upcast as EventOf<TDefs>; // the definition found by `type` guarantees the pairing
  }

  private definition(type: string): AnyDefinition {
    const def = this.byType.get(type);
    if (!def) throw new InvalidEventType(type);
    return def;
  }
}
