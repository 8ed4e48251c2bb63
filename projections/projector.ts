import type { DomainEvent } from '../events/catalogue';
import type { RecordedEvent } from '../events/envelope';
import type { AllSubscription, EventStore } from '../events/event-store';
import { batchesAtHand } from '../lib/batches';
import type { Logger } from '../lib/logger';
import { CheckpointedSubscriber } from './checkpointed-subscriber';
import { ReadStoreUnavailable } from './errors';
import { PARKED_COLLECTION, parkOperation, type ParkedEvent } from './parked';
import { projectionTopic, type Notification, type Projection } from './projection';
import type { DocumentOperation, ReadStore } from './read-store';

export interface ProjectorOptions {
  /** The raw store: the projector parses each event itself so one bad event is parked, not fatal. */
  readonly store: EventStore;
  readonly readStore: ReadStore;
  /**
   * Announces a committed batch (the bus, in the app). Called only after the commit; a failure
   * is logged and the projection goes on, since the read model already has the change.
   */
  readonly publish: (notification: Notification) => Promise<void>;
  /** The event catalogue: upcasts and parses each stored event. */
  readonly parser: { parseRecorded(event: RecordedEvent): DomainEvent };
  readonly projections: readonly Projection[];
  readonly logger: Logger;
  readonly now?: () => Date;
  /** Events per transaction at most (catch-up batches; live traffic commits as it comes). */
  readonly batchSize?: number;
  /** Tries of a failing event before it is parked. */
  readonly maxAttempts?: number;
  /** First back-off while the read store is unavailable; doubles up to 5 s. */
  readonly retryDelayMs?: number;
}

export interface ProjectionStatus {
  readonly name: string;
  readonly running: boolean;
  /** Position of the last event applied, -1 before the first. */
  readonly checkpoint: number;
}

type Outcome =
  | { readonly ok: true; readonly operations: readonly DocumentOperation[]; readonly notifications: readonly Notification[] }
  | { readonly ok: false; readonly error: unknown; readonly attempts: number };

/**
 * Runs every projection from its own checkpoint: catch-up, then live. Each batch of events
 * becomes one `apply` on the read store, operations and checkpoint together; notifications
 * go out on the bus only after that commit.
 */
export class Projector {
  private readonly runners: Map<string, Runner>;

  constructor(private readonly options: ProjectorOptions) {
    this.runners = new Map(options.projections.map((p) => [p.name, new Runner(p, options)]));
  }

  names(): string[] {
    return [...this.runners.keys()];
  }

  async start(): Promise<void> {
    await this.adoptFormerCheckpoints();
    for (const runner of this.runners.values()) await runner.start();
  }

  /**
   * A read model renamed or split keeps its collections and documents; only the checkpoint's
   * name changed. Where the new checkpoint is missing and an old one is there, the read model
   * goes on from the old position (its documents are at that position already), so an upgrade
   * replays nothing. Old checkpoints no read model bears any more are then removed: a later
   * rebuild (which drops the new checkpoint) must replay, not adopt the old one again. A crash
   * in between is harmless: adoption only happens where the new checkpoint is missing.
   */
  private async adoptFormerCheckpoints(): Promise<void> {
    const { readStore, logger } = this.options;
    // Each former checkpoint is read once, however many read models it was split into.
    const former = new Map<string, number | null>();
    const formerPosition = async (old: string) => {
      if (!former.has(old)) former.set(old, await readStore.getCheckpoint(old));
      return former.get(old) ?? null;
    };
    for (const projection of this.options.projections) {
      for (const old of projection.formerly ?? []) {
        const position = await formerPosition(old);
        if (position === null || (await readStore.getCheckpoint(projection.name)) !== null) continue;
        await readStore.apply([], { checkpoint: { name: projection.name, position } });
        logger.info({ projection: projection.name, from: old, position }, 'read model goes on from its former checkpoint');
      }
    }
    for (const [old, position] of former) if (position !== null && !this.runners.has(old)) await readStore.drop([], old);
  }

  async stop(): Promise<void> {
    await Promise.all([...this.runners.values()].map((r) => r.stop()));
  }

  status(): ProjectionStatus[] {
    return [...this.runners.values()].map((r) => r.status());
  }

  /** Resolves once every running projection has applied `position` (read-your-writes, tests). */
  async waitFor(position: number, timeoutMs = 10_000): Promise<void> {
    await Promise.all([...this.runners.values()].map((r) => r.waitFor(position, timeoutMs)));
  }

  /** Drops the read model and replays it from position 0; resolves when it has caught up. */
  async rebuild(name: string): Promise<{ events: number; position: number; ms: number }> {
    const runner = this.runner(name);
    const started = performance.now();
    const head = await this.options.store.headPosition();
    await runner.stop();
    await runner.reset();
    await runner.start();
    if (head >= 0) await runner.waitFor(head, 24 * 3600_000);
    return { events: runner.applied, position: runner.status().checkpoint, ms: performance.now() - started };
  }

  async listParked(name?: string): Promise<readonly ParkedEvent[]> {
    const page = await this.options.readStore.find<ParkedEvent>(PARKED_COLLECTION, name ? { projection: name } : {}, {
      sort: { projection: 1, position: 1 },
      limit: 10_000,
    });
    return page.docs;
  }

  /**
   * Projects a parked event again (after a fix) and applies it now. It lands out of order,
   * without the position guard, since later events have already been applied; read models
   * whose result depends on order should be rebuilt instead.
   */
  async retryParked(name: string, position: number): Promise<'applied' | 'parked-again' | 'not-found'> {
    return this.runner(name).retryParked(position);
  }

  private runner(name: string): Runner {
    const runner = this.runners.get(name);
    if (!runner) throw new Error(`no read model named ${name}`);
    return runner;
  }
}

class Runner extends CheckpointedSubscriber {
  applied = 0;

  constructor(
    private readonly projection: Projection,
    private readonly options: ProjectorOptions,
  ) {
    super(projection.name, options);
  }

  private get log(): Logger {
    return this.options.logger;
  }

  status(): ProjectionStatus {
    return { name: this.projection.name, running: this.running, checkpoint: this.checkpoint };
  }

  protected override async prepare(): Promise<void> {
    const { readStore } = this.options;
    for (const c of this.projection.collections) await readStore.ensureIndexes(c.name, c.indexes);
    await readStore.ensureIndexes(PARKED_COLLECTION, [{ fields: { projection: 1, position: 1 } }]);
  }

  async reset(): Promise<void> {
    const { readStore } = this.options;
    const parked = await readStore.find(PARKED_COLLECTION, { projection: this.projection.name }, { limit: 10_000 });
    await readStore.apply(parked.docs.map((d) => ({ op: 'delete', collection: PARKED_COLLECTION, id: d._id })));
    await readStore.drop(
      this.projection.collections.map((c) => c.name),
      this.projection.name,
    );
    this.progress.reset(-1);
    this.applied = 0;
  }

  protected async run(subscription: AllSubscription): Promise<void> {
    // A live event commits on its own; a catch-up backlog commits in large transactions.
    for await (const batch of batchesAtHand(subscription, this.options.batchSize ?? 1000)) {
      await this.processBatch(batch);
      if (this.stopping) return;
    }
  }

  private async processBatch(batch: readonly RecordedEvent[]): Promise<void> {
    const last = batch[batch.length - 1];
    if (!last) return;
    const outcomes = batch.map((event) => ({ event, outcome: this.projectOne(event) }));
    const operations = outcomes.flatMap(({ event, outcome }) => this.operationsFor(event, outcome));
    try {
      await this.applyWithRetry(operations, last.position);
    } catch (error) {
      if (this.stopping) return;
      // Something in the batch cannot be applied (a unique index, say): find it event by event.
      this.log.warn({ err: error, projection: this.projection.name }, 'batch failed; applying event by event');
      for (const { event, outcome } of outcomes) await this.applyAlone(event, outcome);
    }
    this.applied += batch.filter((e) => this.projection.eventTypes.has(e.type)).length;
    this.progress.advance(last.position);
    await this.publish(outcomes, last.position, batch.length);
  }

  private projectOne(event: RecordedEvent): Outcome | null {
    if (!this.projection.eventTypes.has(event.type)) return null;
    const attempts = this.options.maxAttempts ?? 3;
    let lastError: unknown = null;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      try {
        const domainEvent = this.options.parser.parseRecorded(event);
        const operations = this.projection.project(domainEvent);
        const notifications = this.projection.notify?.(domainEvent) ?? [];
        return { ok: true, operations, notifications };
      } catch (error) {
        lastError = error;
      }
    }
    return { ok: false, error: lastError, attempts };
  }

  private operationsFor(event: RecordedEvent, outcome: Outcome | null): DocumentOperation[] {
    if (!outcome) return [];
    if (outcome.ok) return outcome.operations.map((op) => ({ ...op, position: event.position }));
    this.log.error({ err: outcome.error, projection: this.projection.name, position: event.position }, 'event parked');
    return [parkOperation(this.projection.name, event, outcome.error, outcome.attempts, this.now())];
  }

  private async applyAlone(event: RecordedEvent, outcome: Outcome | null): Promise<void> {
    const checkpoint = { name: this.projection.name, position: event.position };
    const attempts = this.options.maxAttempts ?? 3;
    let lastError: unknown = null;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      try {
        await this.options.readStore.apply(this.operationsFor(event, outcome), { checkpoint });
        return;
      } catch (error) {
        lastError = error;
      }
    }
    this.log.error({ err: lastError, projection: this.projection.name, position: event.position }, 'event parked');
    const park = parkOperation(this.projection.name, event, lastError, attempts, this.now());
    await this.options.readStore.apply([park], { checkpoint });
  }

  /** Waits out an unavailable read store; any other error is the batch's own and is thrown. */
  private async applyWithRetry(operations: readonly DocumentOperation[], position: number): Promise<void> {
    let delay = this.options.retryDelayMs ?? 100;
    for (;;) {
      try {
        await this.options.readStore.apply(operations, { checkpoint: { name: this.projection.name, position } });
        return;
      } catch (error) {
        if (!(error instanceof ReadStoreUnavailable) || this.stopping) throw error;
        this.log.warn({ err: error, projection: this.projection.name, retryInMs: delay }, 'read store unavailable');
        await new Promise((r) => setTimeout(r, delay));
        delay = Math.min(delay * 2, 5_000);
      }
    }
  }

  private async publish(outcomes: readonly { outcome: Outcome | null }[], position: number, events: number): Promise<void> {
    const notifications: Notification[] = [{ topic: projectionTopic(this.projection.name), message: { position, events } }];
    for (const { outcome } of outcomes) if (outcome?.ok) notifications.push(...outcome.notifications);
    for (const n of notifications) {
      try {
        await this.options.publish(n);
      } catch (error) {
        // The bus only carries notifications; the read model is already committed.
        this.log.warn({ err: error, topic: n.topic }, 'bus publish failed');
      }
    }
  }

  async retryParked(position: number): Promise<'applied' | 'parked-again' | 'not-found'> {
    const { readStore, store } = this.options;
    const id = `${this.projection.name}:${position}`;
    const parked = await readStore.findById<ParkedEvent>(PARKED_COLLECTION, id);
    if (!parked) return 'not-found';
    const page = await store.readAll({ after: position - 1, maxCount: 1 });
    const event = page.events[0];
    if (!event || event.position !== position) return 'not-found';
    const outcome = this.projectOne(event);
    if (!outcome?.ok) {
      const error = outcome ? outcome.error : new Error('event type is no longer projected');
      const attempts = parked.attempts + (outcome ? outcome.attempts : 1);
      await readStore.apply([parkOperation(this.projection.name, event, error, attempts, this.now())]);
      return 'parked-again';
    }
    await readStore.apply([...outcome.operations, { op: 'delete', collection: PARKED_COLLECTION, id }]);
    return 'applied';
  }

  private now(): Date {
    return this.options.now?.() ?? new Date();
  }
}
