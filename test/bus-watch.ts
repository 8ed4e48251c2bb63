import type { Bus, BusSubscription } from '../services/bus/bus';
import { NatsBus } from '../services/bus/nats-bus';

export interface BusWatch {
  /** Resolves once `count` subscriptions to `topic` were opened (and, on NATS, the server has them). */
  subscribed(topic: string, count?: number, timeoutMs?: number): Promise<void>;
  /** Every subscription to `topic` opened since the watch began, oldest first. */
  subscriptions(topic: string): BusSubscription[];
  /** Whether a subscription has been closed: iterating a closed one ends at once. */
  isReleased(subscription: BusSubscription, waitMs?: number): Promise<boolean>;
  restore(): void;
}

/**
 * Watches who subscribes to a bus, through a spy that calls through to the real bus: a GraphQL
 * subscription opens one bus subscription, and a client going away must close it again.
 */
export function watchBus(bus: Bus): BusWatch {
  const spy = jest.spyOn(bus, 'subscribe');
  const opened = (topic: string): BusSubscription[] =>
    spy.mock.calls.flatMap((call, i) => {
      const result = spy.mock.results[i];
      return call[0] === topic && result?.type === 'return' ? [result.value] : [];
    });
  return {
    async subscribed(topic, count = 1, timeoutMs = 5_000) {
      const deadline = Date.now() + timeoutMs;
      while (opened(topic).length < count) {
        if (Date.now() > deadline) throw new Error(`no ${count} subscription(s) to ${topic} within ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      // A NATS subscription is live once the server has processed the SUB; a flush is the handshake.
      if (bus instanceof NatsBus) await bus.flush();
    },
    subscriptions: opened,
    async isReleased(subscription, waitMs = 1_000) {
      const deadline = Date.now() + waitMs;
      for (;;) {
        // Iteration of a closed subscription ends at once; an open one would wait for a message.
        const next = subscription[Symbol.asyncIterator]().next();
        const ended = await Promise.race([next.then((r) => r.done === true), new Promise<false>((r) => setTimeout(() => r(false), 50))]);
        if (ended) return true;
        if (Date.now() > deadline) return false;
      }
    },
    restore: () => spy.mockRestore(),
  };
}
