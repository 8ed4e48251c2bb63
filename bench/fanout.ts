/**
 * Subscription fan-out over GraphQL-over-SSE: 200 subscribers to `interactionLogged(workloadId)`
 * on the real server (startServer on 127.0.0.1:0, embedded storage, projector running, admin
 * key), then `logInteraction` mutations for that workload at a modest steady rate (default 5/s
 * for 15 s, after a warm-up that proves every subscription live). Latency runs from each
 * mutation's HTTP acknowledgement to the interaction's arrival at each subscriber (the path:
 * durable append → projector → read-store commit → bus → per-subscriber read → SSE frame). The
 * subscribers and the sender share one child process, hence one clock.
 *
 *   npm run bench -- fanout [--subscribers 200] [--rate 5] [--seconds 15] [--profile]
 */
import { fork } from 'node:child_process';
import { join } from 'node:path';
import { authHeaders, flag, formatSummary, hasFlag, printProfile, profile, machine, round, runMain, serveApp, tempDir } from './_lib';
import type { FanoutJob, FanoutResult } from './_sse';

const SUBSCRIBERS = Number(flag('subscribers', '200'));
const RATE = Number(flag('rate', '5'));
const SECONDS = Number(flag('seconds', '15'));
const PROFILE = hasFlag('profile');
const GOALS = { p99Ms: 200 };

function runFanout(job: FanoutJob): Promise<FanoutResult> {
  return new Promise((resolve, reject) => {
    const child = fork(join(__dirname, '_sse.ts'), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let result: FanoutResult | null = null;
    child.on('message', (message: { result?: FanoutResult; error?: string }) => {
      if (message.error) reject(new Error(`fan-out client: ${message.error}`));
      else if (message.result) result = message.result;
    });
    child.on('error', reject);
    child.on('exit', (code) => (result ? resolve(result) : reject(new Error(`fan-out client exited with ${code}`))));
    child.send(job);
  });
}

async function main(): Promise<void> {
  const machineAtStart = machine();
  console.log(`fanout: ${SUBSCRIBERS} SSE subscribers to interactionLogged, ${RATE} mutations/s for ${SECONDS} s`);
  const dir = tempDir('fanout');
  const service = await serveApp(dir.path);
  try {
    const job: FanoutJob = { url: service.url, headers: authHeaders, subscribers: SUBSCRIBERS, workloadId: 'support-bot', rate: RATE, seconds: SECONDS };
    const cpuBefore = process.cpuUsage();
    const profiled = PROFILE ? await profile('fanout', () => runFanout(job)) : null;
    const r = profiled ? profiled.value : await runFanout(job);
    const cpu = process.cpuUsage(cpuBefore);
    if (profiled) printProfile(profiled);
    console.log(`  ${r.connected}/${SUBSCRIBERS} subscribers connected in ${round(r.subscribeMs)} ms`);
    console.log(`  ${r.mutations} mutations (${r.failedMutations} failed); ack ${formatSummary(r.ackMs)}`);
    console.log(`  ack → delivery:  ${formatSummary(r.fromAckMs)} (${r.deliveredBeforeAck} deliveries arrived before their ack)`);
    console.log(`  send → delivery: ${formatSummary(r.fromSendMs)}`);
    console.log(`  delivered ${r.delivered}/${r.expected}, ${r.duplicates} duplicates; server CPU ${round((cpu.user + cpu.system) / 1e6, 1)} s`);
    if (r.errors.length > 0) console.log(`  errors: ${r.errors.join('; ')}`);
    const complete = r.connected === SUBSCRIBERS && r.delivered === r.expected && r.failedMutations === 0;
    console.log(
      JSON.stringify({
        bench: 'fanout',
        machine: { ...machineAtStart, loadAvg1mAtEnd: machine().loadAvg1m },
        subscribers: SUBSCRIBERS,
        connected: r.connected,
        rate: RATE,
        seconds: SECONDS,
        mutations: r.mutations,
        failedMutations: r.failedMutations,
        ackMs: r.ackMs,
        ackToDeliveryMs: { p50: r.fromAckMs.p50, p99: r.fromAckMs.p99, max: r.fromAckMs.max, min: r.fromAckMs.min },
        sendToDeliveryMs: { p50: r.fromSendMs.p50, p99: r.fromSendMs.p99, max: r.fromSendMs.max },
        deliveredBeforeAck: r.deliveredBeforeAck,
        delivered: r.delivered,
        expected: r.expected,
        deliveryRatio: round(r.delivered / Math.max(1, r.expected), 4),
        duplicates: r.duplicates,
        errors: r.errors,
        goals: GOALS,
        pass: { p99Ms: complete && r.fromAckMs.p99 <= GOALS.p99Ms },
      }),
    );
  } finally {
    await service.close();
    dir.remove();
  }
}

runMain(main);
