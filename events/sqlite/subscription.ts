import type { AllSubscription } from '../event-store';
import type { RecordedEvent } from '../envelope';

/** What a subscription needs from the store: one page of events after a cursor. */
export interface PageSource {
  /**
   * Events after `cursor` in position order, at most one page. `cursor` comes back as the
   * position up to which the store has been examined (past the last event when a filter skipped
   * events, so sparse filters do not rescan the same rows on every wake-up).
   */
  readPage(cursor: number): { readonly events: readonly RecordedEvent[]; readonly cursor: number };
}

export interface SubscriptionOptions {
  readonly after: number;
  /** How often to look for commits made by other processes while caught up. */
  readonly pollIntervalMs: number;
  /** Called once when the subscription ends, so the store stops notifying it. */
  readonly onEnd: (subscription: SqliteSubscription) => void;
  /** Set when the store was already closed: the first pull rejects with it. */
  readonly failure?: Error;
}

/**
 * Catch-up and live are the same loop: the store is always the source, read by position after
 * the cursor, one page at a time, and only when the consumer asks for more. Commit notifications
 * (from this process) and the poll timer (for other processes) merely wake a caught-up reader,
 * so a notification racing the last catch-up read cannot cause a gap or a duplicate, and a slow
 * consumer holds at most one page in memory.
 */
export class SqliteSubscription implements AllSubscription {
  private page: readonly RecordedEvent[] = [];
  private index = 0;
  private cursor: number;
  private ended = false;
  private failure: Error | undefined;
  /** A wake-up that arrived while nobody was waiting; the next wait returns at once. */
  private signalled = false;
  private waiter: (() => void) | null = null;
  private timer: NodeJS.Timeout | null = null;
  /** Pulls run one at a time even if a consumer calls next() without awaiting. */
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly source: PageSource,
    private readonly options: SubscriptionOptions,
  ) {
    this.cursor = options.after;
    this.failure = options.failure;
  }

  [Symbol.asyncIterator](): AsyncIterator<RecordedEvent> {
    return {
      next: () => {
        const result = this.chain.then(() => this.pull());
        this.chain = result.catch(() => undefined);
        return result;
      },
      return: async () => {
        await this.close();
        return { value: undefined, done: true };
      },
    };
  }

  /** The store's commit hook: wake up if the commit may hold something new for us. */
  notify(head: number): void {
    if (head > this.cursor) this.wake();
  }

  close(): Promise<void> {
    this.end();
    return Promise.resolve();
  }

  /** Also used by the store when it closes. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.page = [];
    this.wake();
    this.options.onEnd(this);
  }

  private async pull(): Promise<IteratorResult<RecordedEvent>> {
    for (;;) {
      if (this.failure) {
        const failure = this.failure;
        this.failure = undefined;
        this.end();
        throw failure;
      }
      if (this.ended) return { value: undefined, done: true };
      const next = this.page[this.index];
      if (next !== undefined) {
        this.index += 1;
        return { value: next, done: false };
      }
      let read: ReturnType<PageSource['readPage']>;
      try {
        read = this.source.readPage(this.cursor);
      } catch (error) {
        this.end();
        throw error;
      }
      this.page = read.events;
      this.index = 0;
      this.cursor = read.cursor;
      if (read.events.length === 0) await this.waitForWake();
    }
  }

  private waitForWake(): Promise<void> {
    if (this.signalled || this.ended) {
      this.signalled = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      this.waiter = resolve;
      this.timer = setTimeout(() => this.wake(), this.options.pollIntervalMs);
    });
  }

  private wake(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const waiter = this.waiter;
    this.waiter = null;
    if (waiter) waiter();
    else this.signalled = true;
  }
}
