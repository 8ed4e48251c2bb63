import type { AllSubscription, EventStore } from '../events/event-store';
import type { Logger } from '../lib/logger';
import { PositionWaiters } from '../lib/position-waiters';
import type { ReadStore } from './read-store';

export interface SubscriberOptions {
  readonly store: EventStore;
  /** Keeps the checkpoint (and whatever the subscriber parks). */
  readonly readStore: ReadStore;
  readonly logger: Logger;
}

/**
 * The lifecycle a projection runner and a reactor runner share: start from the checkpoint kept
 * in the read store (catch-up, then live), stop at a clean point, and let callers wait until a
 * position has been handled. What "handled" means, and how the checkpoint moves, is each
 * subclass's own (projections commit it with their documents; reactors after their appends).
 */
export abstract class CheckpointedSubscriber {
  private subscription: AllSubscription | null = null;
  private loop: Promise<void> | null = null;
  protected readonly progress: PositionWaiters;

  constructor(
    /** The checkpoint's name in the read store. */
    readonly checkpointName: string,
    protected readonly subscriber: SubscriberOptions,
  ) {
    this.progress = new PositionWaiters(checkpointName);
  }

  /** Position of the last event handled, -1 before the first. */
  get checkpoint(): number {
    return this.progress.position;
  }

  get running(): boolean {
    return this.loop !== null;
  }

  async start(): Promise<void> {
    if (this.loop) return;
    await this.prepare();
    const checkpoint = (await this.subscriber.readStore.getCheckpoint(this.checkpointName)) ?? -1;
    this.progress.reset(checkpoint);
    const subscription = this.subscriber.store.subscribeToAll(checkpoint >= 0 ? { after: checkpoint } : {});
    this.subscription = subscription;
    this.loop = this.run(subscription).catch((error: unknown) => {
      this.subscriber.logger.error({ err: error, subscriber: this.checkpointName }, 'subscriber stopped on an error');
    });
  }

  /** Closes the subscription and waits for the event at hand to be finished. */
  async stop(): Promise<void> {
    const { subscription, loop } = this;
    this.subscription = null;
    if (subscription) await subscription.close();
    if (loop) await loop;
    this.loop = null;
  }

  /** Resolves once every event up to `position` has been handled. */
  waitFor(position: number, timeoutMs = 10_000): Promise<void> {
    return this.progress.waitFor(position, timeoutMs);
  }

  /** True once stop() was called: loops finish the event at hand and return. */
  protected get stopping(): boolean {
    return this.subscription === null;
  }

  /** Before the first event: indexes, say. */
  protected async prepare(): Promise<void> {}

  protected abstract run(subscription: AllSubscription): Promise<void>;
}
