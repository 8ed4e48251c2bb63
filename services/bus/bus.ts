/**
 * Notifications of what is already durable, fanned out to GraphQL subscriptions and other
 * instances. At-most-once: a subscriber that is not listening misses messages, and anything
 * that must not be missed reads the event store instead.
 */
export type BusMessage = Readonly<Record<string, unknown>>;

export interface BusSubscription<T extends BusMessage = BusMessage> extends AsyncIterable<T> {
  close(): Promise<void>;
}

export interface Bus {
  /** Topics are dot-separated tokens (`interaction.logged.<workloadId>`), each `[A-Za-z0-9_-]+`. */
  publish(topic: string, message: BusMessage): Promise<void>;
  subscribe<T extends BusMessage = BusMessage>(topic: string): BusSubscription<T>;
  close(): Promise<void>;
}

export class InvalidTopic extends Error {
  readonly code = 'INVALID_TOPIC';
  constructor(readonly topic: string) {
    super(`invalid bus topic ${JSON.stringify(topic)}`);
    this.name = 'InvalidTopic';
  }
}

export class BusClosed extends Error {
  readonly code = 'BUS_CLOSED';
  constructor() {
    super('the bus is closed');
    this.name = 'BusClosed';
  }
}

export class BusUnavailable extends Error {
  readonly code = 'BUS_UNAVAILABLE';
  constructor(
    message: string,
    override readonly cause?: unknown,
  ) {
    super(message);
    this.name = 'BusUnavailable';
  }
}

const TOPIC_RE = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/;

export function assertTopic(topic: string): void {
  if (typeof topic !== 'string' || topic.length > 255 || !TOPIC_RE.test(topic)) throw new InvalidTopic(String(topic));
}
