/**
 * The load generator, forked by `runLoad` (bench/_lib.ts) so that it has its own event loop:
 * `connections` closed-loop senders over one keep-alive agent (maxSockets = connections). It
 * builds its request bodies before the clock starts, checks every answer (an HTTP 200 with a
 * GraphQL error is a failure, not a success), and reports latencies of the measured window.
 */
import { print } from 'graphql';
import { InteractionsDocument, LogInteractionDocument, LogInteractionsDocument } from '../graph/generated/operations';
import { interactionInput, keepAliveAgent, nowMs, post, summarize, type LoadJob, type LoadResult, type Workload } from './_client';

export const BASELINE_MUTATION = 'mutation Log($input: JSONObject!) { logInteraction(input: $input) { interactionId position } }';

interface Prepared {
  readonly bodies: readonly string[];
  /** Units of work the answer reports (accepted interactions), or an error description. */
  readonly check: (status: number, text: string) => number | string;
}

function parse(text: string): { data?: Record<string, unknown> | null; errors?: unknown[] } {
  const value: unknown = JSON.parse(text);
  return typeof value === 'object' && value !== null ? value : {};
}

function field(value: unknown, key: string): unknown {
  const found: unknown = typeof value === 'object' && value !== null ? Reflect.get(value, key) : undefined;
  return found;
}

function prepare(workload: Workload): Prepared {
  const graphqlErrors = (status: number, text: string): string | null => {
    if (status !== 200) return `HTTP ${status}: ${text.slice(0, 200)}`;
    const body = parse(text);
    return body.errors ? `errors: ${JSON.stringify(body.errors).slice(0, 200)}` : null;
  };
  switch (workload.kind) {
    case 'logInteraction': {
      const query = print(LogInteractionDocument);
      return {
        bodies: Array.from({ length: 2_000 }, (_, i) =>
          JSON.stringify({ query, variables: { input: interactionInput(workload.seed + i) } }),
        ),
        check: (status, text) => {
          const failure = graphqlErrors(status, text);
          if (failure) return failure;
          const result = field(parse(text).data, 'logInteraction');
          return field(result, '__typename') === 'InteractionAccepted' ? 1 : `not accepted: ${JSON.stringify(result).slice(0, 200)}`;
        },
      };
    }
    case 'logInteractions': {
      const query = print(LogInteractionsDocument);
      return {
        bodies: Array.from({ length: 40 }, (_, b) =>
          JSON.stringify({
            query,
            variables: { inputs: Array.from({ length: workload.batch }, (_, i) => interactionInput(workload.seed + b * workload.batch + i)) },
          }),
        ),
        check: (status, text) => {
          const failure = graphqlErrors(status, text);
          if (failure) return failure;
          const result = field(parse(text).data, 'logInteractions');
          const accepted = field(result, 'accepted');
          if (typeof accepted !== 'number') return `no batch result: ${JSON.stringify(result).slice(0, 200)}`;
          return accepted === workload.batch ? accepted : `only ${accepted}/${workload.batch} accepted`;
        },
      };
    }
    case 'baseline':
      return {
        bodies: Array.from({ length: 2_000 }, (_, i) =>
          JSON.stringify({ query: BASELINE_MUTATION, variables: { input: interactionInput(workload.seed + i) } }),
        ),
        check: (status, text) => {
          const failure = graphqlErrors(status, text);
          if (failure) return failure;
          return typeof field(field(parse(text).data, 'logInteraction'), 'interactionId') === 'string' ? 1 : 'no interactionId';
        },
      };
    case 'query': {
      const query = print(InteractionsDocument);
      return {
        bodies: workload.variables.map((variables) => JSON.stringify({ query, variables })),
        check: (status, text) => {
          const failure = graphqlErrors(status, text);
          if (failure) return failure;
          const edges = field(field(parse(text).data, 'interactions'), 'edges');
          return Array.isArray(edges) ? 1 : 'no edges';
        },
      };
    }
  }
}

async function run(job: LoadJob): Promise<LoadResult> {
  const { bodies, check } = prepare(job.workload);
  const agent = keepAliveAgent(job.connections);
  const start = nowMs();
  const measureFrom = start + job.warmupMs;
  const endAt = measureFrom + job.durationMs;
  const latencies: number[] = [];
  const perSecond = new Array<number>(Math.ceil(job.durationMs / 1000)).fill(0);
  const errors = new Map<string, number>();
  let total = 0;
  let requests = 0;
  let ok = 0;
  let failed = 0;
  let units = 0;
  let next = 0;
  await Promise.all(
    Array.from({ length: job.connections }, async () => {
      while (nowMs() < endAt) {
        const body = bodies[next++ % bodies.length] ?? '';
        const t0 = nowMs();
        let outcome: number | string;
        try {
          const res = await post(agent, job.url, body, job.headers);
          outcome = check(res.status, res.text);
        } catch (error) {
          outcome = error instanceof Error ? error.message : String(error);
        }
        const t1 = nowMs();
        total += 1;
        if (t0 < measureFrom || t1 > endAt) continue;
        requests += 1;
        if (typeof outcome === 'number') {
          ok += 1;
          units += outcome;
          latencies.push(t1 - t0);
          const second = Math.floor((t1 - measureFrom) / 1000);
          perSecond[second] = (perSecond[second] ?? 0) + 1;
        } else {
          failed += 1;
          errors.set(outcome, (errors.get(outcome) ?? 0) + 1);
        }
      }
    }),
  );
  agent.destroy();
  return {
    total,
    requests,
    ok,
    failed,
    units,
    seconds: job.durationMs / 1000,
    latency: summarize(latencies),
    latencies,
    perSecond,
    errors: [...errors.entries()].slice(0, 5).map(([e, n]) => `${n}× ${e}`),
  };
}

process.once('message', (job: LoadJob) => {
  run(job).then(
    (result) => process.send?.({ result }, () => process.exit(0)),
    (error: unknown) => process.send?.({ error: error instanceof Error ? error.stack : String(error) }, () => process.exit(1)),
  );
});
