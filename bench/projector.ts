/**
 * Rebuilding the `interactions` read model: 200,000 InteractionLogged events (~1.5 KB of data
 * each, built by the ingest decider) are appended first through the raw SqliteEventStore in
 * large concurrent batches (setup, not timed), then `projector.rebuild('interactions')` is timed:
 * drop, replay from position 0 through the catalogue and the projection into the embedded read
 * store (SQLite, synchronous=FULL), until the checkpoint reaches the head.
 *
 *   npm run bench -- projector [--events 200000] [--batch-size 1000] [--profile] [--max-seconds 45]
 *
 * `--batch-size` is the projector's option (events per read-store transaction at most);
 * `--profile` samples the CPU during the rebuild and prints where the time goes.
 */
import { join } from 'node:path';
import { catalogue } from '../events/catalogue';
import { SqliteEventStore } from '../events/sqlite/sqlite-event-store';
import { silentLogger } from '../lib/logger';
import { SqliteReadStore } from '../projections/embedded/sqlite-read-store';
import { INTERACTIONS, interactionsProjection, WORKLOADS, type WorkloadDoc } from '../projections/interactions';
import { Projector } from '../projections/projector';
import type { ApplyOptions, DocumentOperation } from '../projections/read-store';
import { CountingReadStore } from '../test/counting-read-store';
import { publisherOn } from '../services/bus/bus';
import { InProcessBus } from '../services/bus/in-process-bus';
import { flag, hasFlag, nowMs, printProfile, profile, round, runMain, seedInteractions, sleep, machine, tempDir } from './_lib';

const EVENTS = Number(flag('events', '200000'));
const BATCH_SIZE = flag('batch-size', 'default');
const PROFILE = hasFlag('profile');
/** The rebuild is cut off after this long and its rate so far reported (and failed): a slow build still ends. */
const MAX_SECONDS = Number(flag('max-seconds', '45'));
const GOALS = { eventsPerSec: 20_000 };

async function main(): Promise<void> {
  const machineAtStart = machine();
  const dir = tempDir('projector');
  console.log(`projector: rebuild 'interactions' from ${EVENTS} InteractionLogged events, batch size ${BATCH_SIZE}${PROFILE ? ', profiled' : ''}`);
  const store = await SqliteEventStore.open({ path: join(dir.path, 'events.db') });
  const readStore = SqliteReadStore.open({ path: join(dir.path, 'read.db') });
  // Counts the projector's transactions (how many events each commit carries) and watches the
  // clock from inside them: during catch-up the projector never yields to the event loop, so
  // timers (a progress line, a cut-off) would not fire until it is done.
  let onApply = (): void => undefined;
  const counting = new (class extends CountingReadStore {
    override apply(operations: readonly DocumentOperation[], options?: ApplyOptions): Promise<void> {
      onApply();
      return super.apply(operations, options);
    }
  })(readStore);
  const bus = new InProcessBus();
  const projector = new Projector({
    store,
    readStore: counting,
    publish: publisherOn(bus),
    parser: catalogue,
    projections: [interactionsProjection],
    logger: silentLogger,
    ...(BATCH_SIZE === 'default' ? {} : { batchSize: Number(BATCH_SIZE) }),
  });
  try {
    const seeded = await seedInteractions(store, EVENTS, { log: console.log });
    console.log(`  seeded ${EVENTS} events (${seeded.bytes} B data each) in ${round(seeded.seconds, 1)} s: ${round(EVENTS / seeded.seconds)} events/s (setup, not timed)`);
    global.gc?.();

    const started = nowMs();
    const cpuBefore = process.cpuUsage();
    const first = (await store.readAll({ maxCount: 1 })).events[0]?.position ?? 0;
    // The longest gap between the ticks of a 10 ms timer: how long nothing else could run.
    let maxLoopBlockMs = 0;
    let lastTick = nowMs();
    const ticker = setInterval(() => {
      const t = nowMs();
      maxLoopBlockMs = Math.max(maxLoopBlockMs, t - lastTick - 10);
      lastTick = t;
    }, 10);
    let lastProgress = started;
    let cut: (() => void) | null = null;
    const cutoff = new Promise<null>((resolve) => (cut = () => resolve(null)));
    onApply = () => {
      const t = nowMs();
      if (t - started > MAX_SECONDS * 1000) cut?.();
      if (t - lastProgress < 5_000) return;
      lastProgress = t;
      const checkpoint = projector.status()[0]?.checkpoint ?? first - 1;
      console.log(`  rebuilding: ${checkpoint - first + 1}/${EVENTS} events after ${round((t - started) / 1000, 1)} s`);
    };
    const run = async (): Promise<{ events: number; ms: number; cutoff: boolean }> => {
      const done = await Promise.race([projector.rebuild('interactions'), cutoff]);
      if (done) return { events: done.events, ms: done.ms, cutoff: false };
      await projector.stop();
      const ms = nowMs() - started;
      const checkpoint = projector.status()[0]?.checkpoint ?? first - 1;
      return { events: checkpoint - first + 1, ms, cutoff: true };
    };
    const profiled = PROFILE ? await profile('projector', run) : null;
    const result = profiled ? profiled.value : await run();
    await sleep(30);
    clearInterval(ticker);
    onApply = () => undefined;
    const cpu = process.cpuUsage(cpuBefore);
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    const seconds = result.ms / 1000;
    const eventsPerSec = result.events / seconds;
    // A few applies are the reset's and the parked-events lookup's, not the replay's.
    const transactions = counting.byMethod.get('apply') ?? 0;

    console.log(`  longest the event loop was blocked during the rebuild: ${round(maxLoopBlockMs)} ms`);
    if (result.cutoff) console.log(`  cut off after ${MAX_SECONDS} s at ${result.events}/${EVENTS} events`);
    const interactions = result.cutoff ? -1 : await readStore.count(INTERACTIONS, {});
    const workloads = await readStore.find<WorkloadDoc>(WORKLOADS, {}, { limit: 100 });
    const counted = workloads.docs.reduce((n, w) => n + w.interactions, 0);
    const complete = interactions === EVENTS && counted === EVENTS && result.events === EVENTS;
    console.log(
      `  rebuilt ${result.events} events in ${round(seconds, 2)} s: ${round(eventsPerSec)} events/s ` +
        `(${interactions} interaction docs, workload totals ${counted}${complete ? '' : ' — INCOMPLETE'})`,
    );
    console.log(
      `  ${transactions} read-store transactions (${round(result.events / Math.max(1, transactions))} events each); ` +
        `CPU ${round(cpuSeconds, 2)} s for ${round(seconds, 2)} s of wall time: ${round(result.events / cpuSeconds)} events per CPU-second`,
    );
    if (profiled) printProfile(profiled);
    console.log(
      JSON.stringify({
        bench: 'projector',
        machine: { ...machineAtStart, loadAvg1mAtEnd: machine().loadAvg1m },
        events: result.events,
        dataBytes: seeded.bytes,
        batchSize: BATCH_SIZE,
        profiled: PROFILE,
        seconds: round(seconds, 2),
        eventsPerSec: round(eventsPerSec),
        cpuSeconds: round(cpuSeconds, 2),
        eventsPerCpuSec: round(result.events / cpuSeconds),
        transactions,
        seedEventsPerSec: round(EVENTS / seeded.seconds),
        complete,
        maxEventLoopBlockMs: round(maxLoopBlockMs),
        cutoffAfterSeconds: result.cutoff ? MAX_SECONDS : null,
        goals: GOALS,
        pass: { eventsPerSec: complete && eventsPerSec >= GOALS.eventsPerSec },
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
