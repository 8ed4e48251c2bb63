/**
 * `validateInput` latency for a 2,000-token input with the offline embedder: the synchronous
 * check an app makes before its LLM call. The workload has validator settings (domain
 * examples, languages, bounds) and 1,000 logged interactions of history, so every check does
 * its real work: tokenizer, language detector, privacy detector, pattern list, embedding and
 * similarity against the domain examples, the known attacks and the history.
 *
 *   npm run bench -- validate [--calls 2000] [--tokens 2000]
 *
 * Two figures: the validator itself (what the reactor and the query share), and the whole
 * GraphQL query through yoga.fetch (parse, auth, validation, serialisation; no socket).
 * Goal: p99 ≤ 10 ms on one core for the query.
 */
import { cpus, loadavg } from 'node:os';
import { print } from 'graphql';
import { parseConfig } from '../app/config';
import { createApp } from '../app/wiring';
import { ConfigureInputValidatorsDocument, ValidateInputDocument } from '../graph/generated/operations';
import { silentLogger } from '../lib/logger';
import { countInputTokens } from '../services/evaluation/validators/checks';
import { ADMIN_KEY, flag, formatSummary, interactionEvent, nowMs, runMain, summarize, tempDir, text } from './_lib';

const CALLS = Number(flag('calls', '2000'));
const TOKENS = Number(flag('tokens', '2000'));
const HISTORY = 1_000;
const WORKLOAD = 'support-bot';
const GOALS = { queryP99Ms: 10 };
const machine = () => ({ cores: cpus().length, loadAvg1m: Number((loadavg()[0] ?? 0).toFixed(2)) });

/** Distinct inputs of about `TOKENS` tokens each, so no cache can answer a repeat. */
function inputs(count: number): { role: string; content: string }[][] {
  return Array.from({ length: count }, (_, i) => {
    let body = text(10_000 + i, TOKENS * 8);
    while (countInputTokens(body) > TOKENS) body = body.slice(0, Math.floor(body.length * 0.99));
    return [
      { role: 'system', content: 'You are a helpful support assistant for Acme routers.' },
      { role: 'user', content: body },
    ];
  });
}

async function main(): Promise<void> {
  const atStart = machine();
  const dir = tempDir('validate');
  const config = parseConfig({ FLYWHEEL_DATA_DIR: dir.path, FLYWHEEL_ADMIN_KEY: ADMIN_KEY, NODE_ENV: 'test', LOG_LEVEL: 'silent' });
  const app = await createApp(config, { logger: silentLogger });
  try {
    console.log(`validate: ${CALLS} validateInput calls of ~${TOKENS} tokens, ${HISTORY} historical inputs, offline embedder`);
    let head = -1;
    for (let n = 0; n < HISTORY; n++) {
      const { stream, event } = interactionEvent(n, { workloadId: WORKLOAD });
      head = (await app.adapters.eventStore.append(stream, [event])).position;
    }
    await app.projector.waitFor(head, 120_000);
    const gql = async (query: string, variables: Record<string, unknown>): Promise<string> => {
      const response = await app.yoga.fetch('http://localhost/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_KEY}` },
        body: JSON.stringify({ query, variables }),
      });
      return response.text();
    };
    await gql(print(ConfigureInputValidatorsDocument), {
      input: {
        workloadId: WORKLOAD,
        domainExamples: Array.from({ length: 50 }, (_, i) => text(500 + i, 200)),
        languages: ['en'],
        maxTokens: 4_000,
      },
    });

    const messages = inputs(64);
    console.log(`inputs: ${countInputTokens(messages[0]?.[1]?.content ?? '')} tokens, ${messages[0]?.[1]?.content.length ?? 0} characters each`);
    const validator = app.evaluation.services.evaluation.validator;
    // Warm-up: loads the workload's settings, vectors and history, and lets the JIT settle.
    for (let i = 0; i < 200; i++) await validator.validate(WORKLOAD, messages[i % messages.length] ?? []);

    const core: number[] = [];
    for (let i = 0; i < CALLS; i++) {
      const started = nowMs();
      await validator.validate(WORKLOAD, messages[i % messages.length] ?? []);
      core.push(nowMs() - started);
    }
    const coreSummary = summarize(core);
    console.log(`validator: ${formatSummary(coreSummary)}`);

    const query = print(ValidateInputDocument);
    let sample = '';
    for (let i = 0; i < 100; i++) sample = await gql(query, { workloadId: WORKLOAD, messages: messages[i % messages.length] });
    const whole: number[] = [];
    const cpu: number[] = [];
    for (let i = 0; i < CALLS; i++) {
      const started = nowMs();
      const cpuBefore = process.cpuUsage();
      await gql(query, { workloadId: WORKLOAD, messages: messages[i % messages.length] });
      const used = process.cpuUsage(cpuBefore);
      whole.push(nowMs() - started);
      cpu.push((used.user + used.system) / 1_000);
    }
    const querySummary = summarize(whole);
    // CPU time per call: what the query costs one core, apart from waiting for a core on a busy machine.
    const cpuSummary = summarize(cpu);
    console.log(`validateInput query: wall ${formatSummary(querySummary)}`);
    console.log(`validateInput query: CPU ${formatSummary(cpuSummary)}`);
    console.log(`sample answer: ${sample.slice(0, 400)}…`);
    const met = querySummary.p99 <= GOALS.queryP99Ms;
    const metOnCpu = cpuSummary.p99 <= GOALS.queryP99Ms;
    console.log(`wall-clock p99 ${querySummary.p99} ms, CPU p99 ${cpuSummary.p99} ms: goal (≤ ${GOALS.queryP99Ms} ms) ${met ? 'met' : metOnCpu ? 'met in CPU time only (the machine is busy)' : 'missed'}`);
    console.log(
      JSON.stringify({
        bench: 'validate',
        calls: CALLS,
        inputTokens: TOKENS,
        history: HISTORY,
        embedder: app.evaluation.embedder.id,
        validator: coreSummary,
        query: querySummary,
        queryCpu: cpuSummary,
        goals: GOALS,
        met,
        metOnCpu,
        machine: { atStart, atEnd: machine() },
      }),
    );
  } finally {
    await app.stop();
  }
}

runMain(main);
