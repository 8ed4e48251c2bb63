/**
 * Append → bus notification latency, embedded: SqliteEventStore + SqliteReadStore +
 * InProcessBus + the Projector running the `interactions` projection, as the service wires them.
 * InteractionLogged events (~1.5 KB) are appended one per call at a steady rate (default
 * 1,000/s for 10 s after 1 s of warm-up); each latency runs from just before `append` to the
 * receipt of its `interaction.logged.<workloadId>` message by a bus subscriber, i.e. durable
 * append + projector wake-up + read-store commit (synchronous=FULL) + publish + delivery.
 * The append's own acknowledgement latency is reported beside it, and so is this disk's floor
 * for the path, measured in the same run: two back-to-back single-row durable commits with the
 * raw driver (the event store's and the read store's), nothing else.
 *
 *   npm run bench -- notify [--rate 1000] [--seconds 10]
 */
import { join } from 'node:path';
import { catalogue } from '../events/catalogue';
import { SqliteEventStore } from '../events/sqlite/sqlite-event-store';
import { silentLogger } from '../lib/logger';
import { SqliteReadStore } from '../projections/embedded/sqlite-read-store';
import { interactionsProjection, interactionTopic } from '../projections/interactions';
import { Projector } from '../projections/projector';
import type { ApplyOptions, DocumentOperation } from '../projections/read-store';
import { InProcessBus } from '../services/bus/in-process-bus';
import { publisherOn } from '../services/bus/bus';
import { CountingReadStore } from '../test/counting-read-store';
import { flag, formatSummary, nowMs, round, runMain, SeedEvents, machine, sleep, summarize, tempDir } from './_lib';
import { rawBaseline } from './_sqlite-bench';

const RATE = Number(flag('rate', '1000'));
const SECONDS = Number(flag('seconds', '10'));
const WARMUP_SECONDS = 1;
const WORKLOAD = 'support-bot';
const GOALS = { p99Ms: 20 };

async function main(): Promise<void> {
  const machineAtStart = machine();
  const dir = tempDir('notify');
  const total = RATE * (SECONDS + WARMUP_SECONDS);
  console.log(`notify: ${RATE} appends/s for ${SECONDS} s (+${WARMUP_SECONDS} s warm-up), append → ${interactionTopic(WORKLOAD)} on the bus`);
  const store = await SqliteEventStore.open({ path: join(dir.path, 'events.db') });
  const readStore = SqliteReadStore.open({ path: join(dir.path, 'read.db') });
  const bus = new InProcessBus();
  // Times each read-store transaction the projector makes (they run on this thread, fsync included).
  const applies: { ms: number; operations: number }[] = [];
  const timedReadStore = new (class extends CountingReadStore {
    override async apply(operations: readonly DocumentOperation[], options?: ApplyOptions): Promise<void> {
      const t0 = nowMs();
      await super.apply(operations, options);
      applies.push({ ms: nowMs() - t0, operations: operations.length });
    }
  })(readStore);
  const projector = new Projector({ store, readStore: timedReadStore, publish: publisherOn(bus), parser: catalogue, projections: [interactionsProjection], logger: silentLogger });
  const seed = new SeedEvents(() => ({ workloadId: WORKLOAD }));
  const events = Array.from({ length: total }, (_, n) => seed.event(n));
  const measuredFrom = WARMUP_SECONDS * RATE;

  const sentAt = new Map<string, number>();
  const index = new Map<string, number>();
  const notifyMs: number[] = [];
  const appendMs: number[] = [];
  let received = 0;
  let appendErrors = 0;
  let unknown = 0;
  const subscription = bus.subscribe<{ interactionId: string }>(interactionTopic(WORKLOAD));
  const consumer = (async () => {
    for await (const message of subscription) {
      const t = nowMs();
      const t0 = sentAt.get(message.interactionId);
      const n = index.get(message.interactionId);
      if (t0 === undefined || n === undefined) {
        unknown += 1;
        continue;
      }
      received += 1;
      if (n >= measuredFrom) notifyMs.push(t - t0);
      if (received === total) return;
    }
  })();

  try {
    // The floor: pairs of raw durable commits, before the run so the two do not compete.
    const raw = rawBaseline(
      events.slice(0, 1_000).map(({ stream, event }) => ({ stream, revision: 0, event })),
      1,
    ).latenciesMs;
    const floor = summarize(Array.from({ length: raw.length / 2 }, (_, i) => (raw[2 * i] ?? 0) + (raw[2 * i + 1] ?? 0)));
    console.log(`  floor, two raw durable commits: ${formatSummary(floor)}`);
    // The longest gap between the ticks of a 10 ms timer: how long nothing else could run.
    let maxLoopBlockMs = 0;
    let lastTick = nowMs();
    const ticker = setInterval(() => {
      const t = nowMs();
      maxLoopBlockMs = Math.max(maxLoopBlockMs, t - lastTick - 10);
      lastTick = t;
    }, 10);
    await projector.start();
    global.gc?.();
    const started = nowMs();
    let next = 0;
    let lateMs = 0;
    await new Promise<void>((resolve) => {
      const tick = (): void => {
        const now = nowMs();
        const due = Math.min(total, Math.floor(((now - started) / 1000) * RATE) + 1);
        // How far behind schedule the sender itself ran (a loaded machine shows up here).
        if (due - next > 1) lateMs = Math.max(lateMs, ((due - next - 1) / RATE) * 1000);
        while (next < due) {
          const n = next++;
          const item = events[n];
          if (!item) continue;
          const interactionId = `seed-${n}`;
          index.set(interactionId, n);
          const t0 = nowMs();
          sentAt.set(interactionId, t0);
          store.append(item.stream, [item.event], { expectedRevision: 'no_stream' }).then(
            () => {
              if (n >= measuredFrom) appendMs.push(nowMs() - t0);
            },
            () => (appendErrors += 1),
          );
        }
        if (next >= total) resolve();
        else setTimeout(tick, 1);
      };
      tick();
    });
    const sendSeconds = (nowMs() - started) / 1000;
    const deadline = nowMs() + 10_000;
    while (received < total && nowMs() < deadline) await sleep(20);
    await subscription.close();
    await consumer;
    clearInterval(ticker);

    const notify = summarize(notifyMs);
    const applyMsForJson = summarize(applies.map((a) => a.ms));
    const append = summarize(appendMs);
    const stats = store.stats();
    console.log(`  sent ${total} in ${round(sendSeconds, 2)} s (${round(total / sendSeconds)}/s; sender at most ${round(lateMs, 1)} ms behind schedule)`);
    console.log(`  append ack:          ${formatSummary(append)}`);
    console.log(`  append → bus message: ${formatSummary(notify)}`);
    console.log(`  longest the event loop was blocked: ${round(maxLoopBlockMs)} ms`);
    const slowest = applies.reduce((a, b) => (b.ms > a.ms ? b : a), { ms: 0, operations: 0 });
    const applyMs = summarize(applies.map((a) => a.ms));
    console.log(
      `  projector: ${applies.length} read-store transactions (${round((2 * total) / Math.max(1, applies.length), 1)} operations each), ` +
        `${formatSummary(applyMs)}; slowest carried ${slowest.operations} operations`,
    );
    console.log(
      `  ${received}/${total} notifications received, ${subscription.dropped} dropped, ${appendErrors} append errors; ` +
        `${stats.transactions} event-store transactions (${round(stats.events / Math.max(1, stats.transactions), 1)} events each)`,
    );
    const complete = received === total && appendErrors === 0 && unknown === 0;
    console.log(
      JSON.stringify({
        bench: 'notify',
        machine: { ...machineAtStart, loadAvg1mAtEnd: machine().loadAvg1m },
        rate: RATE,
        seconds: SECONDS,
        achievedRate: round(total / sendSeconds),
        senderMaxLateMs: round(lateMs, 1),
        notifyMs: notify,
        appendAckMs: append,
        floorTwoRawCommitsMs: floor,
        p99VsFloorP99: round(notify.p99 / floor.p99, 2),
        maxEventLoopBlockMs: round(maxLoopBlockMs),
        projectorTransactions: applies.length,
        projectorApplyMs: applyMsForJson,
        received,
        expected: total,
        dropped: subscription.dropped,
        appendErrors,
        eventStoreTransactions: stats.transactions,
        goals: GOALS,
        pass: { p99Ms: complete && notify.p99 <= GOALS.p99Ms },
      }),
    );
  } finally {
    await projector.stop();
    await bus.close();
    await readStore.close();
    await store.close();
    dir.remove();
  }
}

runMain(main);
