import type { BusMessage, BusSubscription } from './bus';
import { decodeMessage } from './message-codec';

export const DEFAULT_BUFFER_SIZE = 1024;

/** What a bus routes to: untyped text in, so the routing table needs no knowledge of each subscriber's T. */
export interface MessageSink {
  deliverEncoded(text: string): void;
  end(error?: Error): void;
}

type Waiter<T> = { resolve(result: IteratorResult<T>): void; reject(error: unknown): void };

/**
 * One subscriber's bounded queue, shared by both adapters. Publishers never wait for a slow
 * subscriber: when the buffer is full the oldest message is dropped and counted, which is what
 * at-most-once notifications allow (anything that must not be missed reads the event store).
 */
export class BufferedSubscription<T extends BusMessage>
  implements BusSubscription<T>, MessageSink, AsyncIterableIterator<T>
{
  // A ring would be tidier, but shift() on a queue capped at a few thousand entries is cheap.
  private readonly queue: T[] = [];
  private readonly waiters: Waiter<T>[] = [];
  private state: 'open' | 'ending' | 'closed' = 'open';
  private failure: Error | undefined;
  private droppedCount = 0;

  constructor(
    private readonly capacity: number,
    /** Called once, when the subscriber closes, so the bus stops routing to it. */
    private readonly release: () => void,
  ) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`buffer size must be a positive integer, got ${capacity}`);
  }

  get dropped(): number {
    return this.droppedCount;
  }

  /** Decode a published message into this subscriber's own copy; undecodable text counts as dropped. */
  deliverEncoded(text: string): void {
    if (this.state !== 'open') return;
    const message = decodeMessage<T>(text);
    if (message === undefined) this.droppedCount += 1;
    else this.deliver(message);
  }

  private deliver(message: T): void {
    const waiter = this.waiters.shift();
    if (waiter) {
      waiter.resolve({ value: message, done: false });
      return;
    }
    if (this.queue.length >= this.capacity) {
      this.queue.shift();
      this.droppedCount += 1;
    }
    this.queue.push(message);
  }

  /**
   * The bus is going away: what is already buffered is still handed out, then iteration ends
   * (or throws `error`, when the bus went away on its own rather than being closed).
   */
  end(error?: Error): void {
    if (this.state !== 'open') return;
    this.state = 'ending';
    this.failure = error;
    if (this.queue.length === 0) this.finish();
  }

  /** The subscriber is done: buffered messages are discarded and iteration ends now. */
  async close(): Promise<void> {
    if (this.state === 'closed') return;
    this.queue.length = 0;
    this.failure = undefined;
    this.finish();
  }

  next(): Promise<IteratorResult<T>> {
    const value = this.queue.shift();
    if (value !== undefined) {
      if (this.state === 'ending' && this.queue.length === 0) this.finish();
      return Promise.resolve({ value, done: false });
    }
    if (this.state !== 'open') {
      const failure = this.takeFailure();
      return failure ? Promise.reject(failure) : Promise.resolve(doneResult());
    }
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  /** `break` out of a for-await loop closes the subscription. */
  async return(): Promise<IteratorResult<T>> {
    await this.close();
    return doneResult();
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    return this;
  }

  private finish(): void {
    this.state = 'closed';
    this.release();
    const waiters = this.waiters.splice(0);
    const failure = waiters.length > 0 ? this.takeFailure() : undefined;
    for (const waiter of waiters) {
      if (failure) waiter.reject(failure);
      else waiter.resolve(doneResult());
    }
  }

  /** The failure is reported once; after that the iterator is simply done. */
  private takeFailure(): Error | undefined {
    const failure = this.failure;
    this.failure = undefined;
    return failure;
  }
}

function doneResult<T>(): IteratorResult<T> {
  return { value: undefined, done: true };
}
