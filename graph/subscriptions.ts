import { Repeater } from 'graphql-yoga';
import type { BusMessage } from '../services/bus/bus';
import type { GraphContext } from './context';

/**
 * The one shape of a live subscription: listen on a bus topic and, for each notification, read
 * what it announces from the committed read model (or from the message itself) and yield it.
 * Notifications go out after commit, so the read finds the document; a null is skipped. The bus
 * subscription opens when the client starts reading and closes when it stops.
 */
export function liveStream<M extends BusMessage, T>(
  context: Pick<GraphContext, 'bus'>,
  topic: string,
  read: (message: M) => Promise<T | null> | T | null,
): AsyncIterable<T> {
  return new Repeater<T>(async (push, stop) => {
    const subscription = context.bus.subscribe<M>(topic);
    void stop.then(() => subscription.close());
    for await (const message of subscription) {
      const value = await read(message);
      if (value !== null) await push(value);
    }
    stop();
  });
}

/** A subscription with nothing to deliver (it ends at once). */
export function emptyStream<T>(): AsyncIterable<T> {
  return new Repeater<T>((_push, stop) => stop());
}
