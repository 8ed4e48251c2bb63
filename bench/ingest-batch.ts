/**
 * `logInteractions` over real HTTP, 100 interactions (~1.5 KB each) per call, several callers
 * at once, each sending its next batch when the previous one is answered. The mutation answers
 * only after every accepted item's append is durable, so accepted interactions per second is
 * durable ingest throughput. The service is `startServer` on 127.0.0.1:0 with embedded storage,
 * the projector running, admin key; the load generator is a child process.
 *
 *   npm run bench -- ingest-batch [--callers 8] [--batch 100] [--seconds 15] [--redaction on|off] [--profile]
 */
import { authHeaders, flag, formatSummary, hasFlag, printProfile, profile, machine, round, runLoad, runMain, serveApp, tempDir, type LoadJob } from './_lib';

const CALLERS = Number(flag('callers', '8'));
const BATCH = Number(flag('batch', '100'));
const SECONDS = Number(flag('seconds', '15'));
const PROFILE = hasFlag('profile');
/** FLYWHEEL_REDACTION: PII screening before the append (the service's default is on). */
const REDACTION = flag('redaction', 'on');
const GOALS = { interactionsPerSec: 10_000 };

async function main(): Promise<void> {
  const machineAtStart = machine();
  console.log(`ingest-batch: logInteractions × ${BATCH} per call, ${CALLERS} concurrent callers, ${SECONDS} s (+2 s warm-up), FLYWHEEL_REDACTION=${REDACTION}`);
  const dir = tempDir('ingest-batch');
  if (REDACTION !== 'off' && REDACTION !== 'on') throw new Error('--redaction takes on or off');
  const service = await serveApp(dir.path, { FLYWHEEL_REDACTION: REDACTION });
  try {
    const job: LoadJob = {
      url: service.url,
      headers: authHeaders,
      connections: CALLERS,
      warmupMs: 2_000,
      durationMs: SECONDS * 1000,
      workload: { kind: 'logInteractions', seed: 0, batch: BATCH },
    };
    const cpuBefore = process.cpuUsage();
    const profiled = PROFILE ? await profile('ingest-batch', () => runLoad(job)) : null;
    const r = profiled ? profiled.value : await runLoad(job);
    const cpu = process.cpuUsage(cpuBefore);
    if (profiled) printProfile(profiled);
    const head = await service.app.adapters.eventStore.headPosition();
    const durable = head + 1;
    const perSec = r.units / r.seconds;
    const failures = r.failed > 0 ? `; ${r.failed} failed calls (${r.errors.join('; ')})` : '';
    console.log(`  ${r.ok} calls, ${r.units} interactions accepted in ${r.seconds} s: ${round(perSec)} interactions/s${failures}`);
    console.log(`  call latency: ${formatSummary(r.latency)}`);
    console.log(`  per second: ${r.perSecond.map((n) => n * BATCH).join(' ')}`);
    console.log(`  server CPU ${round((cpu.user + cpu.system) / 1e6, 1)} s over the run; ${durable} events in the store (warm-up included)`);
    console.log(
      JSON.stringify({
        bench: 'ingest-batch',
        machine: { ...machineAtStart, loadAvg1mAtEnd: machine().loadAvg1m },
        redaction: REDACTION,
        callers: CALLERS,
        batch: BATCH,
        seconds: SECONDS,
        interactionsPerSec: round(perSec),
        callsPerSec: round(r.ok / r.seconds, 1),
        callLatencyMs: r.latency,
        failedCalls: r.failed,
        errors: r.errors,
        eventsInStore: durable,
        goals: GOALS,
        pass: { interactionsPerSec: r.failed === 0 && durable >= r.units && perSec >= GOALS.interactionsPerSec },
      }),
    );
  } finally {
    await service.close();
    dir.remove();
  }
}

runMain(main);
