import {
  ClosedConnectionError,
  connect,
  DrainingConnectionError,
  InvalidArgumentError,
  type NatsConnection,
} from '@nats-io/transport-node';
import {
  assertTopic,
  BusClosed,
  BusUnavailable,
  InvalidMessage,
  MAX_MESSAGE_BYTES,
  type Bus,
  type BusMessage,
  type BusSubscription,
} from './bus';
import { BufferedSubscription, DEFAULT_BUFFER_SIZE, type MessageSink } from './buffered-subscription';
import { encodeMessage } from './message-codec';

export interface NatsBusOptions {
  /** `nats://host:port`, or several for a cluster. */
  readonly servers: string | readonly string[];
  /** Shown by the server's monitoring; one name per service instance helps when debugging. */
  readonly name?: string;
  /** Messages buffered per subscriber before the oldest is dropped. */
  readonly bufferSize?: number;
  readonly connectTimeoutMs?: number;
  /** How long a publish waits for the server's acknowledgement before reporting BusUnavailable. */
  readonly flushTimeoutMs?: number;
}

/**
 * The bus across instances: core NATS subjects (not JetStream), because notifications are
 * at-most-once by design and a durable stream would only hide a subscriber that reads the wrong
 * source. Topics map one-to-one onto subjects; the port's topic syntax excludes NATS wildcards,
 * so a subscription only ever matches its exact topic.
 */
export class NatsBus implements Bus {
  private readonly sinks = new Set<MessageSink>();
  private readonly bufferSize: number;
  private readonly flushTimeoutMs: number;
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly nc: NatsConnection,
    options: NatsBusOptions,
  ) {
    this.bufferSize = options.bufferSize ?? DEFAULT_BUFFER_SIZE;
    this.flushTimeoutMs = options.flushTimeoutMs ?? 5_000;
    // The client reconnects on its own; this fires only when it has given up (or we closed).
    void nc.closed().then((error) => {
      if (this.closing) return;
      const reason = new BusUnavailable('the NATS connection closed', error ?? undefined);
      for (const sink of [...this.sinks]) sink.end(reason);
    });
  }

  static async connect(options: NatsBusOptions): Promise<NatsBus> {
    const servers = typeof options.servers === 'string' ? options.servers : [...options.servers];
    try {
      const nc = await connect({ servers, name: options.name, timeout: options.connectTimeoutMs ?? 5_000 });
      return new NatsBus(nc, options);
    } catch (error) {
      throw new BusUnavailable(`cannot connect to NATS at ${String(servers)}`, error);
    }
  }

  async publish(topic: string, message: BusMessage): Promise<void> {
    assertTopic(topic);
    if (this.closing) throw new BusClosed();
    const text = encodeMessage(topic, message, Math.min(MAX_MESSAGE_BYTES, this.nc.info?.max_payload ?? MAX_MESSAGE_BYTES));
    try {
      this.nc.publish(topic, text);
    } catch (error) {
      throw this.translate(error, topic);
    }
    // Waiting for the server's PONG turns a dead connection into an error the caller sees,
    // instead of a notification silently parked in the client's outbound buffer.
    await this.flush();
  }

  subscribe<T extends BusMessage = BusMessage>(topic: string): BusSubscription<T> {
    assertTopic(topic);
    if (this.closing) throw new BusClosed();
    let unsubscribe: () => void = () => undefined;
    const subscription = new BufferedSubscription<T>(this.bufferSize, () => {
      this.sinks.delete(subscription);
      unsubscribe();
    });
    try {
      const sub = this.nc.subscribe(topic, {
        // A callback, not the client's own iterator: its queue is unbounded, ours drops oldest.
        callback: (error, msg) => {
          if (error) subscription.end(new BusUnavailable(`NATS ended the subscription to ${topic}`, error));
          else subscription.deliverEncoded(msg.string());
        },
      });
      unsubscribe = () => {
        if (this.nc.isClosed() || this.nc.isDraining() || sub.isClosed()) return;
        sub.unsubscribe();
      };
    } catch (error) {
      throw this.translate(error, topic);
    }
    this.sinks.add(subscription);
    return subscription;
  }

  /**
   * Resolves once the server has processed everything sent so far, subscriptions included. Not
   * part of the port: a subscriber on one connection uses it to know that a publish made on
   * another connection afterwards will reach it.
   */
  async flush(): Promise<void> {
    if (this.closing) throw new BusClosed();
    let timer: NodeJS.Timeout | undefined;
    const flushed = this.nc.flush();
    // If the timeout wins, the abandoned flush may still reject when the connection closes.
    flushed.catch(() => undefined);
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new BusUnavailable(`NATS did not acknowledge within ${this.flushTimeoutMs} ms`)),
        this.flushTimeoutMs,
      );
    });
    try {
      await Promise.race([flushed, timedOut]);
    } catch (error) {
      throw this.translate(error);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Drains: in-flight publishes reach the server and already-received messages are still handed out. */
  close(): Promise<void> {
    this.closing ??= this.drain();
    return this.closing;
  }

  private async drain(): Promise<void> {
    try {
      await this.nc.drain();
    } catch (error) {
      // Already closed (the server went away for good): there is nothing left to drain.
      if (!(error instanceof ClosedConnectionError)) throw this.translate(error);
    } finally {
      for (const sink of [...this.sinks]) sink.end();
      this.sinks.clear();
    }
  }

  private translate(error: unknown, topic?: string): Error {
    if (error instanceof BusUnavailable || error instanceof BusClosed) return error;
    if (this.closing && (error instanceof ClosedConnectionError || error instanceof DrainingConnectionError))
      return new BusClosed();
    // The only argument the client rejects after our own checks is a payload over the server's limit.
    if (error instanceof InvalidArgumentError && topic !== undefined) return new InvalidMessage(topic, error.message);
    return new BusUnavailable(error instanceof Error ? error.message : 'NATS error', error);
  }
}
