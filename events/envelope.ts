import { randomUUID } from 'node:crypto';
import { InvalidEvent, InvalidEventType, InvalidStreamName } from './errors';

/** Who caused an event and why; carried by every event. */
export interface EventMetadata {
  /** Ties together everything caused by one outside request. */
  readonly correlationId: string;
  /** The event (or request) that directly caused this one; null for an outside command. */
  readonly causationId: string | null;
  /** `key:<id>`, `token:<interactionId>`, `system:<component>`, … */
  readonly actor: string;
  /** When it happened in the domain (ISO-8601), as opposed to when the store recorded it. */
  readonly occurredAt: string;
  readonly schemaVersion: number;
}

/**
 * Metadata as a command or a reactor states it. The schema version is not the caller's to say:
 * it belongs to the event type and is stamped by `EventDefinition.create`.
 */
export type CausalMetadata = Omit<EventMetadata, 'schemaVersion'>;

export interface NewEvent<TType extends string = string, TData = unknown> {
  /** A UUID. Re-appending the same ids to the same stream is an idempotent no-op. */
  readonly id: string;
  readonly type: TType;
  readonly data: TData;
  readonly metadata: EventMetadata;
}

export interface RecordedEvent<TType extends string = string, TData = unknown> extends NewEvent<TType, TData> {
  readonly stream: string;
  /** Per-stream, from 0. */
  readonly revision: number;
  /** Global, strictly increasing across the whole store. */
  readonly position: number;
  /** When the store made it durable (ISO-8601). */
  readonly recordedAt: string;
}

// Category: a lowercase word (letters, digits, inner dashes are not allowed so the split is unambiguous).
// Id: anything printable up to 200 characters, no whitespace.
const STREAM_RE = /^([a-z][a-zA-Z0-9_]{0,63})-(\S{1,200})$/;
const EVENT_TYPE_RE = /^[A-Z][A-Za-z0-9]{1,99}$/;
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function assertStreamName(stream: string): void {
  if (typeof stream !== 'string' || !STREAM_RE.test(stream)) throw new InvalidStreamName(String(stream));
}

export function streamCategory(stream: string): string {
  const match = STREAM_RE.exec(stream);
  if (!match?.[1]) throw new InvalidStreamName(stream);
  return match[1];
}

export function streamName(category: string, id: string): string {
  const stream = `${category}-${id}`;
  assertStreamName(stream);
  return stream;
}

export function assertEventType(type: string): void {
  if (typeof type !== 'string' || !EVENT_TYPE_RE.test(type)) throw new InvalidEventType(String(type));
}

/** Envelope checks every adapter runs before touching its storage: ids, type, metadata shape, JSON data. */
export function assertNewEvent(event: NewEvent): void {
  assertEventType(event.type);
  const issues: { path: string; message: string }[] = [];
  if (typeof event.id !== 'string' || !UUID_RE.test(event.id)) issues.push({ path: 'id', message: 'must be a UUID' });
  const m = event.metadata as Partial<EventMetadata> | undefined;
  if (!m || typeof m !== 'object') issues.push({ path: 'metadata', message: 'required' });
  else {
    if (typeof m.correlationId !== 'string' || m.correlationId.length === 0)
      issues.push({ path: 'metadata.correlationId', message: 'required' });
    if (m.causationId !== null && typeof m.causationId !== 'string')
      issues.push({ path: 'metadata.causationId', message: 'string or null' });
    if (typeof m.actor !== 'string' || m.actor.length === 0) issues.push({ path: 'metadata.actor', message: 'required' });
    if (typeof m.occurredAt !== 'string' || Number.isNaN(Date.parse(m.occurredAt)))
      issues.push({ path: 'metadata.occurredAt', message: 'ISO-8601 timestamp required' });
    if (!Number.isInteger(m.schemaVersion) || (m.schemaVersion ?? 0) < 1)
      issues.push({ path: 'metadata.schemaVersion', message: 'positive integer required' });
  }
  if (event.data === undefined || typeof event.data !== 'object' || event.data === null || Array.isArray(event.data))
    issues.push({ path: 'data', message: 'must be a JSON object' });
  if (issues.length > 0) throw new InvalidEvent(String(event.type), issues);
}

export function assertUniqueIds(events: readonly NewEvent[]): void {
  const seen = new Set<string>();
  for (const e of events) {
    if (seen.has(e.id)) throw new InvalidEvent(e.type, [{ path: 'id', message: `duplicate id ${e.id} in one append` }]);
    seen.add(e.id);
  }
}

/** Metadata for a command coming from outside, with injectable clock and ids for tests. */
export function commandMetadata(input: { actor: string; correlationId?: string; causationId?: string | null; now: Date }): CausalMetadata {
  return {
    correlationId: input.correlationId ?? randomUUID(),
    causationId: input.causationId ?? null,
    actor: input.actor,
    occurredAt: input.now.toISOString(),
  };
}
