/**
 * `logInteraction` over real HTTP: the service as `flywheel serve` runs it (startServer on
 * 127.0.0.1:0, embedded SQLite stores, the projector running, request logs at info to /dev/null,
 * admin key) under 50 keep-alive connections, each sending its next ~1.5 KB interaction when
 * the previous one is answered. Baseline in the same run: a minimal graphql-yoga server on
 * node:http with one trivial mutation taking the same input, under the same load. The load
 * generator is a child process; runs alternate (baseline, service, baseline, service, …) so drift
 * on the shared machine hits both, and the ratio judged is the median of the per-round ratios
 * (the pooled one is reported too). The server's CPU per request, from this process's CPU time
 * under each load, gives a second ratio that the machine's load moves much less.
 *
 *   npm run bench -- ingest-http [--redaction on|off] [--seconds 15] [--connections 50] [--rounds 4] [--profile]
 *
 * `--redaction` sets FLYWHEEL_REDACTION (PII screening before the append; the service's default
 * is on).
 *
 * `--profile` samples the server's CPU (this process) during the service rounds.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSchema, createYoga } from 'graphql-yoga';
import { JSONObjectResolver } from 'graphql-scalars';
import {
  authHeaders, flag, formatSummary, hasFlag, HOST, machine, printProfile, profile, round, runLoad, runMain, serveApp, summarize, tempDir,
  type LoadJob, type LoadResult,
} from './_lib';

const CONNECTIONS = Number(flag('connections', '50'));
const SECONDS = Number(flag('seconds', '15'));
const ROUNDS = Number(flag('rounds', '4'));
const REDACTION = flag('redaction', 'on');
const PROFILE = hasFlag('profile');
const GOALS = { ratio: 0.5, p99Ms: 100 };

/** The floor: yoga and node:http doing nothing but parse, validate, execute a trivial resolver and answer. */
async function startBaseline(): Promise<{ url: string; close(): Promise<void> }> {
  let position = 0;
  const yoga = createYoga({
    schema: createSchema({
      typeDefs: /* GraphQL */ `
        scalar JSONObject
        type Accepted { interactionId: String!, position: Int! }
        type Query { ok: Boolean! }
        type Mutation { logInteraction(input: JSONObject!): Accepted! }
      `,
      resolvers: {
        JSONObject: JSONObjectResolver,
        Query: { ok: () => true },
        Mutation: { logInteraction: () => ({ interactionId: `b-${position}`, position: position++ }) },
      },
    }),
    logging: false,
    graphiql: false,
  });
  const server: Server = createServer((req, res) => void yoga.requestListener(req, res));
  await new Promise<void>((resolve) => server.listen(0, HOST, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${HOST}:${port}/graphql`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? Number.NaN) : ((sorted[mid - 1] ?? Number.NaN) + (sorted[mid] ?? Number.NaN)) / 2;
}

function cpuSince(before: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000;
}

function describe(label: string, r: LoadResult): string {
  const failures = r.failed > 0 ? `, ${r.failed} failed (${r.errors.join('; ')})` : '';
  return `  ${label}: ${round(r.ok / r.seconds)} req/s, ${formatSummary(r.latency)}${failures}`;
}

function merge(runs: readonly LoadResult[]) {
  const seconds = runs.reduce((n, r) => n + r.seconds, 0);
  const ok = runs.reduce((n, r) => n + r.ok, 0);
  const latency = summarize(runs.flatMap((r) => r.latencies));
  return {
    reqPerSec: round(ok / seconds),
    p50Ms: latency.p50,
    p95Ms: latency.p95,
    p99Ms: latency.p99,
    maxMs: latency.max,
    requests: runs.reduce((n, r) => n + r.requests, 0),
    failed: runs.reduce((n, r) => n + r.failed, 0),
    errors: runs.flatMap((r) => r.errors).slice(0, 5),
    rounds: runs.map((r) => round(r.ok / r.seconds)),
  };
}

async function main(): Promise<void> {
  const machineAtStart = machine();
  if (REDACTION !== 'off' && REDACTION !== 'on') throw new Error('--redaction takes off or on');
  const perRoundMs = (SECONDS * 1000) / ROUNDS;
  console.log(
    `ingest-http: logInteraction, ${CONNECTIONS} keep-alive connections, ${ROUNDS} rounds × ${perRoundMs / 1000} s per server, ` +
      `FLYWHEEL_REDACTION=${REDACTION}`,
  );
  const dir = tempDir('ingest-http');
  const baseline = await startBaseline();
  const service = await serveApp(dir.path, { FLYWHEEL_REDACTION: REDACTION });
  const baselineRuns: LoadResult[] = [];
  // This process's CPU while each server is under load (the other one idles): the server's cost,
  // warm-up included, which a shared machine's noise barely moves.
  const cpuMs = { baseline: 0, service: 0 };
  const allRequests = { baseline: 0, service: 0 };
  const serviceRuns: LoadResult[] = [];
  try {
    const job = (url: string, seed: number, workload: LoadJob['workload']['kind'], warmupMs: number): LoadJob => ({
      url,
      headers: workload === 'baseline' ? {} : authHeaders,
      connections: CONNECTIONS,
      warmupMs,
      durationMs: perRoundMs,
      workload: workload === 'baseline' ? { kind: 'baseline', seed } : { kind: 'logInteraction', seed },
    });
    for (let r = 0; r < ROUNDS; r++) {
      const warmupMs = r === 0 ? 2_000 : 1_000;
      let cpu = process.cpuUsage();
      const b = await runLoad(job(baseline.url, r * 1_000_000, 'baseline', warmupMs));
      cpuMs.baseline += cpuSince(cpu);
      baselineRuns.push(b);
      allRequests.baseline += b.total;
      console.log(describe(`round ${r + 1} baseline`, b));
      const load = () => runLoad(job(service.url, r * 1_000_000, 'logInteraction', warmupMs));
      cpu = process.cpuUsage();
      const profiled = PROFILE ? await profile('ingest-http', load) : null;
      const s = profiled ? profiled.value : await load();
      cpuMs.service += cpuSince(cpu);
      if (profiled) printProfile(profiled);
      serviceRuns.push(s);
      allRequests.service += s.total;
      console.log(describe(`round ${r + 1} service `, s));
    }
    const head = await service.app.adapters.eventStore.headPosition();
    await service.app.projector.waitFor(head, 60_000);
  } finally {
    await service.close();
    await baseline.close();
    dir.remove();
  }
  const b = merge(baselineRuns);
  const s = merge(serviceRuns);
  const roundRatios = serviceRuns.map((r, i) => r.ok / Math.max(1, baselineRuns[i]?.ok ?? 0));
  const ratio = round(median(roundRatios), 3);
  const pooledRatio = round(s.reqPerSec / b.reqPerSec, 3);
  const cpuPerRequest = {
    baseline: round(cpuMs.baseline / Math.max(1, allRequests.baseline), 3),
    service: round(cpuMs.service / Math.max(1, allRequests.service), 3),
  };
  console.log(`server CPU per request: service ${cpuPerRequest.service} ms, baseline ${cpuPerRequest.baseline} ms`);
  console.log(
    `service ${s.reqPerSec} req/s (p50 ${s.p50Ms} ms, p99 ${s.p99Ms} ms) vs baseline ${b.reqPerSec} req/s (p50 ${b.p50Ms} ms, p99 ${b.p99Ms} ms): ` +
      `ratio ${ratio} (median of rounds ${roundRatios.map((x) => round(x, 2)).join(', ')}; pooled ${pooledRatio})`,
  );
  console.log(
    JSON.stringify({
      bench: 'ingest-http',
      machine: { ...machineAtStart, loadAvg1mAtEnd: machine().loadAvg1m },
      redaction: REDACTION,
      connections: CONNECTIONS,
      seconds: SECONDS,
      service: s,
      baseline: b,
      ratio,
      roundRatios: roundRatios.map((x) => round(x, 3)),
      pooledRatio,
      serverCpuMsPerRequest: cpuPerRequest,
      cpuRatio: round(cpuPerRequest.baseline / cpuPerRequest.service, 3),
      goals: GOALS,
      pass: { ratio: ratio >= GOALS.ratio && s.failed === 0, p99Ms: s.p99Ms <= GOALS.p99Ms && s.failed === 0 },
    }),
  );
}

runMain(main);
