import { randomUUID } from 'node:crypto';
import type { AllSubscription, EventStore, ReadAllOptions } from '../event-store';
import type { EventMetadata, NewEvent, RecordedEvent } from '../envelope';

/** What an adapter's test file hands the contract: a fresh store and how to dispose of it. */
export interface StoreFixture {
  readonly store: EventStore;
  cleanup(): Promise<void>;
}

export type StoreFactory = () => Promise<StoreFixture>;

/** The suite's shared store, created once per adapter run. */
export interface ContractContext {
  readonly store: () => EventStore;
  readonly factory: StoreFactory;
}

/**
 * A category no other test (or other run against a shared server) uses, so each test can read
 * `$all` filtered to its own events and never depends on what else the store holds.
 */
export function uniqueCategory(): string {
  return `t${randomUUID().replace(/-/g, '')}`;
}

/** An event type no other test uses, for the same reason. */
export function uniqueType(base: string): string {
  return `${base}${randomUUID().replace(/-/g, '').slice(0, 12)}`;
}

export function metadata(overrides: Partial<EventMetadata> = {}): EventMetadata {
  return {
    correlationId: randomUUID(),
    causationId: null,
    actor: 'system:contract',
    occurredAt: '2024-05-01T12:00:00.000Z',
    schemaVersion: 1,
    ...overrides,
  };
}

export function newEvent(type = 'ThingHappened', data: Record<string, unknown> = { n: 1 }): NewEvent {
  return { id: randomUUID(), type, data, metadata: metadata() };
}

export function events(count: number, type = 'ThingHappened'): NewEvent[] {
  return Array.from({ length: count }, (_, n) => newEvent(type, { n }));
}

/** The reason a promise rejected with; fails the test if it fulfilled. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  let value: unknown;
  try {
    value = await promise;
  } catch (error) {
    return error;
  }
  throw new Error(`expected a rejection, got ${JSON.stringify(value)}`);
}

/**
 * Pulls exactly `count` events from a subscription, failing after `timeoutMs` with how far it
 * got. Uses the iterator directly so the subscription stays open for further pulls.
 */
export async function take(
  subscription: AllSubscription,
  count: number,
  timeoutMs = 10_000,
  keep: (event: RecordedEvent) => boolean = () => true,
): Promise<RecordedEvent[]> {
  const iterator = subscription[Symbol.asyncIterator]();
  const got: RecordedEvent[] = [];
  const deadline = Date.now() + timeoutMs;
  while (got.length < count) {
    const remaining = deadline - Date.now();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), Math.max(0, remaining));
    });
    const next = await Promise.race([iterator.next(), timeout]);
    clearTimeout(timer);
    if (next === 'timeout') throw new Error(`subscription delivered ${got.length} of ${count} events in ${timeoutMs} ms`);
    if (next.done) throw new Error(`subscription ended after ${got.length} of ${count} events`);
    if (keep(next.value)) got.push(next.value);
  }
  return got;
}

/** Resolves true if the subscription ends (done) within `timeoutMs`, skipping any events. */
export async function endsWithin(subscription: AllSubscription, timeoutMs: number): Promise<boolean> {
  const iterator = subscription[Symbol.asyncIterator]();
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), Math.max(0, deadline - Date.now()));
    });
    const next = await Promise.race([iterator.next(), timeout]);
    clearTimeout(timer);
    if (next === 'timeout') return false;
    if (next.done) return true;
  }
}

/** Every page of a paged `$all` read, following `next` until it is null. */
export async function readAllPages(
  store: EventStore,
  options: Omit<ReadAllOptions, 'after'>,
): Promise<{ events: RecordedEvent[]; pages: number }> {
  const all: RecordedEvent[] = [];
  let after: number | undefined;
  let pages = 0;
  for (;;) {
    const page = await store.readAll({ ...options, after });
    pages += 1;
    all.push(...page.events);
    if (page.next === null) return { events: all, pages };
    after = page.next;
    if (pages > 10_000) throw new Error('readAll never reached the end');
  }
}

export function ids(list: readonly { readonly id: string }[]): string[] {
  return list.map((e) => e.id);
}

export function positions(list: readonly RecordedEvent[]): number[] {
  return list.map((e) => e.position);
}

export function isStrictlyIncreasing(values: readonly number[]): boolean {
  return values.every((v, i) => i === 0 || v > (values[i - 1] ?? Number.NEGATIVE_INFINITY));
}

/** What a stored copy of `event` looks like, leaving store-assigned fields open. */
export function recorded(event: NewEvent, stream: string, revision: number): unknown {
  return { ...event, stream, revision, position: expect.any(Number), recordedAt: expect.any(String) };
}
