import { assertNatsReachable, natsRequired, natsSkipReason, natsUrl, runNatsSuites } from '../../test/nats-available';
import { describeIf } from '../../test/describe-if';
import { BusUnavailable } from './bus';
import { describeBusContract, take, uniqueTopic } from './contract/bus-contract';
import { NatsBus } from './nats-bus';

describeIf(runNatsSuites, 'NatsBus', natsSkipReason, () => {
  if (natsRequired) it('finds the NATS server that REQUIRE_NATS=1 asks for', () => assertNatsReachable());

  describeBusContract('NatsBus', ({ bufferSize }) =>
    NatsBus.connect({ servers: natsUrl, name: 'flywheel-bus-contract', bufferSize }),
  );

  describe('across connections', () => {
    const buses: NatsBus[] = [];
    afterEach(async () => {
      await Promise.all(buses.splice(0).map((bus) => bus.close()));
    });

    it('delivers a publish on one connection to a subscriber on another', async () => {
      const publisher = await NatsBus.connect({ servers: natsUrl, name: 'flywheel-bus-publisher' });
      const subscriber = await NatsBus.connect({ servers: natsUrl, name: 'flywheel-bus-subscriber' });
      buses.push(publisher, subscriber);
      const topic = uniqueTopic('cross');
      const subscription = subscriber.subscribe<{ n: number; text: string }>(topic);
      // Given the subscription is registered with the server, then the other connection's publish reaches it.
      await subscriber.flush();

      await publisher.publish(topic, { n: 1, text: 'ünïcødé ✓' });
      await publisher.publish(topic, { n: 2, text: 'two' });

      expect(await take(subscription, 2)).toEqual([
        { n: 1, text: 'ünïcødé ✓' },
        { n: 2, text: 'two' },
      ]);
    });
  });
});

describe('NatsBus without a server', () => {
  it('reports BusUnavailable when it cannot connect', async () => {
    // Port 1 is privileged and unused: the connection is refused at once.
    await expect(NatsBus.connect({ servers: 'nats://127.0.0.1:1', connectTimeoutMs: 1_000 })).rejects.toBeInstanceOf(
      BusUnavailable,
    );
  });
});
