/**
 * The fan-out client, forked by bench/fanout.ts: N GraphQL-over-SSE subscribers
 * (`POST /graphql`, `accept: text/event-stream`) to `interactionLogged(workloadId)` and, on the
 * same clock, a sender of `logInteraction` mutations at a steady rate. For each mutation it
 * records when its HTTP answer arrived, and for each subscriber when the interaction's
 * `event: next` frame arrived; latencies are computed from those at the end, so a delivery that
 * beats its own acknowledgement is counted as it is (negative), not lost.
 */
import { Agent, request, type ClientRequest } from 'node:http';
import { print } from 'graphql';
import { InteractionLoggedDocument, LogInteractionDocument } from '../graph/generated/operations';
import { interactionInput, keepAliveAgent, nowMs, post, sleep, summarize, type Summary } from './_client';

export interface FanoutJob {
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly subscribers: number;
  readonly workloadId: string;
  readonly rate: number;
  readonly seconds: number;
}

export interface FanoutResult {
  readonly connected: number;
  readonly subscribeMs: number;
  readonly mutations: number;
  readonly failedMutations: number;
  readonly ackMs: Summary;
  /** From each mutation's acknowledgement to its arrival at each subscriber. */
  readonly fromAckMs: Summary;
  /** From sending each mutation to its arrival at each subscriber. */
  readonly fromSendMs: Summary;
  readonly deliveredBeforeAck: number;
  readonly delivered: number;
  readonly expected: number;
  readonly duplicates: number;
  readonly errors: readonly string[];
}

interface Subscriber {
  readonly arrivals: Map<string, number>;
  duplicates: number;
  status: number;
  request: ClientRequest | null;
}

function subscribe(job: FanoutJob, agent: Agent, errors: string[]): { subscriber: Subscriber; ready: Promise<void> } {
  const subscriber: Subscriber = { arrivals: new Map(), duplicates: 0, status: 0, request: null };
  const body = JSON.stringify({ query: print(InteractionLoggedDocument), variables: { workloadId: job.workloadId } });
  const ready = new Promise<void>((resolve) => {
    const req = request(
      job.url,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', accept: 'text/event-stream', 'content-length': Buffer.byteLength(body), ...job.headers },
      },
      (res) => {
        subscriber.status = res.statusCode ?? 0;
        resolve();
        res.setEncoding('utf8');
        let buffer = '';
        res.on('data', (chunk: string) => {
          const t = nowMs();
          buffer += chunk;
          let end = buffer.indexOf('\n\n');
          while (end >= 0) {
            const frame = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            end = buffer.indexOf('\n\n');
            const lines = frame.split('\n');
            if (!lines.includes('event: next')) continue;
            const data = lines.filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trim()).join('\n');
            const id = idOf(data);
            if (id === null) {
              if (errors.length < 5) errors.push(`frame without an interaction: ${data.slice(0, 200)}`);
              continue;
            }
            if (subscriber.arrivals.has(id)) subscriber.duplicates += 1;
            else subscriber.arrivals.set(id, t);
          }
        });
        res.on('error', () => undefined);
      },
    );
    req.on('error', (error) => {
      if (errors.length < 5) errors.push(`subscriber: ${error.message}`);
      resolve();
    });
    req.end(body);
    subscriber.request = req;
  });
  return { subscriber, ready };
}

function idOf(data: string): string | null {
  try {
    const value: unknown = JSON.parse(data);
    const payload = typeof value === 'object' && value !== null ? Reflect.get(value, 'data') : undefined;
    const node: unknown = typeof payload === 'object' && payload !== null ? Reflect.get(payload, 'interactionLogged') : undefined;
    const id: unknown = typeof node === 'object' && node !== null ? Reflect.get(node, 'id') : undefined;
    return typeof id === 'string' ? id : null;
  } catch {
    return null;
  }
}

async function run(job: FanoutJob): Promise<FanoutResult> {
  const errors: string[] = [];
  const sseAgent = new Agent({ keepAlive: false, maxSockets: job.subscribers + 10 });
  const mutationAgent = keepAliveAgent(8);
  const query = print(LogInteractionDocument);
  const started = nowMs();
  const subs = Array.from({ length: job.subscribers }, () => subscribe(job, sseAgent, errors));
  await Promise.all(subs.map((s) => s.ready));
  const subscribers = subs.map((s) => s.subscriber);
  const connected = subscribers.filter((s) => s.status === 200).length;
  const subscribeMs = nowMs() - started;

  let n = 0;
  const mutate = async (): Promise<{ id: string; sentAt: number; ackAt: number } | null> => {
    const input = interactionInput(n++, { workloadId: job.workloadId });
    const sentAt = nowMs();
    try {
      const res = await post(mutationAgent, job.url, JSON.stringify({ query, variables: { input } }), job.headers);
      const ackAt = nowMs();
      const body: unknown = JSON.parse(res.text);
      const data = typeof body === 'object' && body !== null ? Reflect.get(body, 'data') : undefined;
      const result: unknown = typeof data === 'object' && data !== null ? Reflect.get(data, 'logInteraction') : undefined;
      const id: unknown = typeof result === 'object' && result !== null ? Reflect.get(result, 'interactionId') : undefined;
      if (typeof id === 'string') return { id, sentAt, ackAt };
      if (errors.length < 5) errors.push(`mutation: ${res.status} ${res.text.slice(0, 200)}`);
    } catch (error) {
      if (errors.length < 5) errors.push(`mutation: ${error instanceof Error ? error.message : String(error)}`);
    }
    return null;
  };

  // Warm-up: until every subscriber has had one delivery, the subscriptions may not all be live.
  const warmupDeadline = nowMs() + 15_000;
  while (nowMs() < warmupDeadline) {
    const m = await mutate();
    if (m) {
      await sleep(200);
      if (subscribers.every((s) => s.status !== 200 || s.arrivals.has(m.id))) break;
    }
  }

  const total = Math.round(job.rate * job.seconds);
  const measuredStart = nowMs();
  const pending: Promise<{ id: string; sentAt: number; ackAt: number } | null>[] = [];
  for (let i = 0; i < total; i++) {
    const due = measuredStart + (i * 1000) / job.rate;
    const wait = due - nowMs();
    if (wait > 0) await sleep(wait);
    pending.push(mutate());
  }
  const mutations = (await Promise.all(pending)).filter((m) => m !== null);
  const settleDeadline = nowMs() + 10_000;
  const allArrived = () => mutations.every((m) => subscribers.every((s) => s.status !== 200 || s.arrivals.has(m.id)));
  while (!allArrived() && nowMs() < settleDeadline) await sleep(50);

  const fromAck: number[] = [];
  const fromSend: number[] = [];
  let beforeAck = 0;
  for (const m of mutations) {
    for (const s of subscribers) {
      const at = s.arrivals.get(m.id);
      if (at === undefined) continue;
      fromAck.push(at - m.ackAt);
      fromSend.push(at - m.sentAt);
      if (at < m.ackAt) beforeAck += 1;
    }
  }
  for (const s of subscribers) s.request?.destroy();
  sseAgent.destroy();
  mutationAgent.destroy();
  return {
    connected,
    subscribeMs,
    mutations: mutations.length,
    failedMutations: total - mutations.length,
    ackMs: summarize(mutations.map((m) => m.ackAt - m.sentAt)),
    fromAckMs: summarize(fromAck),
    fromSendMs: summarize(fromSend),
    deliveredBeforeAck: beforeAck,
    delivered: fromAck.length,
    expected: total * job.subscribers,
    duplicates: subscribers.reduce((n, s) => n + s.duplicates, 0),
    errors,
  };
}

process.once('message', (job: FanoutJob) => {
  run(job).then(
    (result) => process.send?.({ result }, () => process.exit(0)),
    (error: unknown) => process.send?.({ error: error instanceof Error ? error.stack : String(error) }, () => process.exit(1)),
  );
});
