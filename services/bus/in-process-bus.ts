import { assertTopic, BusClosed, type Bus, type BusMessage, type BusSubscription } from './bus';
import { BufferedSubscription, DEFAULT_BUFFER_SIZE, type MessageSink } from './buffered-subscription';
import { encodeMessage } from './message-codec';

export interface InProcessBusOptions {
  /** Messages buffered per subscriber before the oldest is dropped. */
  readonly bufferSize?: number;
}

/**
 * The embedded bus: exact-topic fan-out inside one process. A small implementation rather than
 * yoga's createPubSub because the port wants bounded, drop-counting buffers and typed errors,
 * and because it serialises like NATS does, so both adapters pass the same contract and a
 * subscriber can never mutate the object another subscriber received.
 */
export class InProcessBus implements Bus {
  private readonly topics = new Map<string, Set<MessageSink>>();
  private readonly bufferSize: number;
  private closed = false;

  constructor(options: InProcessBusOptions = {}) {
    this.bufferSize = options.bufferSize ?? DEFAULT_BUFFER_SIZE;
  }

  async publish(topic: string, message: BusMessage): Promise<void> {
    assertTopic(topic);
    if (this.closed) throw new BusClosed();
    const text = encodeMessage(topic, message);
    // Copy the set: a subscriber closing during delivery must not disturb this fan-out.
    for (const sink of [...(this.topics.get(topic) ?? [])]) sink.deliverEncoded(text);
  }

  subscribe<T extends BusMessage = BusMessage>(topic: string): BusSubscription<T> {
    assertTopic(topic);
    if (this.closed) throw new BusClosed();
    const sinks = this.topics.get(topic) ?? new Set<MessageSink>();
    this.topics.set(topic, sinks);
    const subscription = new BufferedSubscription<T>(this.bufferSize, () => {
      sinks.delete(subscription);
      if (sinks.size === 0 && this.topics.get(topic) === sinks) this.topics.delete(topic);
    });
    sinks.add(subscription);
    return subscription;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const sinks = [...this.topics.values()].flatMap((set) => [...set]);
    this.topics.clear();
    for (const sink of sinks) sink.end();
  }
}
