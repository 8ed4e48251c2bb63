/**
 * Notifications of what is already durable, fanned out to GraphQL subscriptions and other
 * instances. At-most-once: a subscriber that is not listening misses messages, and anything
 * that must not be missed reads the event store instead.
 */
export type BusMessage = Readonly<Record<string, unknown>>;

export interface BusSubscription<T extends BusMessage = BusMessage> extends AsyncIterable<T> {
  close(): Promise<void>;
  /**
   * Messages this subscriber lost because it fell behind its bounded buffer (oldest first) or
   * because they could not be decoded. The bus never blocks a publisher on a slow subscriber.
   */
  readonly dropped: number;
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

/** A message that is not a JSON object, cannot be serialised, or is larger than the bus carries. */
export class InvalidMessage extends Error {
  readonly code = 'INVALID_MESSAGE';
  constructor(
    readonly topic: string,
    reason: string,
  ) {
    super(`invalid bus message on ${topic}: ${reason}`);
    this.name = 'InvalidMessage';
  }
}

/** The NATS server default; the in-process bus enforces the same so both adapters agree. */
export const MAX_MESSAGE_BYTES = 1024 * 1024;

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

/** The projector's `publish`, on a bus: what a committed batch announces goes out on it. */
export function publisherOn(bus: Bus): (notification: { readonly topic: string; readonly message: BusMessage }) => Promise<void> {
  return (notification) => bus.publish(notification.topic, notification.message);
}
