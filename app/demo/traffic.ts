import type { LogInteractionInput } from '../../services/ingest/commands';
import { seededRandom } from '../../lib/random';

/**
 * Synthetic production traffic for three workloads, seeded so a run is repeatable:
 * an HR assistant that calls tools, a support chatbot with multi-turn conversations, and a
 * text-to-SQL pipeline whose runs go classifier → codegen → writer.
 */
export function* demoTraffic(options: { count: number; seed?: number; start?: Date }): Generator<LogInteractionInput> {
  const random = seededRandom(options.seed ?? 42);
  const pick: Pick = (items) => items[Math.floor(random() * items.length)] ?? items[0];
  let clock = (options.start ?? new Date(Date.now() - 3 * 24 * 3600_000)).getTime();
  const step = (3 * 24 * 3600_000) / Math.max(1, options.count);
  let produced = 0;
  let conversation = 0;
  while (produced < options.count) {
    clock += step * (0.5 + random());
    const kind = random();
    const batch =
      kind < 0.35 ? hrAssistant(random, pick, clock, conversation++) : kind < 0.7 ? supportChat(random, pick, clock, conversation++) : textToSql(random, pick, clock, conversation++);
    for (const item of batch) {
      if (produced >= options.count) return;
      produced += 1;
      yield item;
    }
  }
}

type Pick = <A extends readonly [unknown, ...unknown[]]>(items: A) => A[number];

function usage(prompt: number, completion: number) {
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
}

function answer(model: string, content: string | null, extra: Record<string, unknown> = {}, tokens = usage(120, 60)) {
  return {
    id: `chatcmpl-${Math.abs(hashCode(content ?? model)).toString(36)}`,
    object: 'chat.completion',
    model,
    choices: [{ index: 0, message: { role: 'assistant', content, ...extra }, finish_reason: extra['tool_calls'] ? 'tool_calls' : 'stop' }],
    usage: tokens,
  };
}

const HR_QUESTIONS = [
  ['How many vacation days do I have left this year?', 'get_leave_balance', '{"employee_id":"E-1042"}', 'You have 12 vacation days left for 2026.'],
  ['Can I carry unused leave into next year?', 'search_policy', '{"query":"leave carry-over"}', 'Up to 5 unused days carry over into Q1 of next year.'],
  ['When is the next payroll date?', 'get_payroll_calendar', '{"month":"current"}', 'The next payroll run is on the 28th.'],
  ['¿Cómo solicito un permiso parental?', 'search_policy', '{"query":"permiso parental"}', 'Puedes solicitarlo en el portal de RR. HH. con 30 días de antelación.'],
  ['Wie ändere ich meine Bankverbindung?', 'search_policy', '{"query":"Bankverbindung ändern"}', 'Im Mitarbeiterportal unter „Gehalt“ → „Bankdaten“.'],
] as const;

function hrAssistant(random: () => number, pick: Pick, at: number, n: number): LogInteractionInput[] {
  const [question, tool, args, reply] = pick(HR_QUESTIONS);
  const system = { role: 'system', content: 'You are the HR assistant of Acme Corp. Use the tools; never guess numbers.' };
  const user = { role: 'user', content: question };
  const call = { id: `call_${n}`, type: 'function', function: { name: tool, arguments: args } };
  const tools = [
    { type: 'function', function: { name: tool, parameters: { type: 'object' } } },
  ];
  const common = {
    workloadId: 'hr-assistant',
    clientId: pick(['web', 'slack', 'teams']),
    conversationId: `hr-${n}`,
    sessionId: `hr-session-${Math.floor(n / 3)}`,
    subjectId: `employee-${1000 + Math.floor(random() * 200)}`,
    promptVersionId: pick(['hr-v4', 'hr-v5']),
    tags: ['hr', tool],
  };
  const first: LogInteractionInput = {
    ...common,
    request: { model: 'gpt-4o-mini', messages: [system, user], tools },
    response: answer('gpt-4o-mini-2024-07-18', null, { tool_calls: [call] }, usage(210, 22)),
    latencyMs: Math.round(400 + random() * 600),
    costUsd: 0.00005,
    occurredAt: new Date(at).toISOString(),
  };
  const second: LogInteractionInput = {
    ...common,
    request: {
      model: 'gpt-4o-mini',
      messages: [system, user, { role: 'assistant', content: null, tool_calls: [call] }, { role: 'tool', tool_call_id: call.id, content: '{"ok":true}' }],
      tools,
    },
    response: answer('gpt-4o-mini-2024-07-18', reply, {}, usage(260, 40)),
    latencyMs: Math.round(500 + random() * 900),
    costUsd: 0.00007,
    occurredAt: new Date(at + 1500).toISOString(),
  };
  return [first, second];
}

const SUPPORT = [
  ['My router keeps dropping Wi-Fi every evening.', 'Try switching to channel 1, 6 or 11 and update the firmware.'],
  ['How do I reset my password?', 'Use “Forgot password” on the sign-in page; the link is valid for 30 minutes.'],
  ['The app crashes when I open settings.', 'Please update to 4.2.1, which fixes a crash in the settings screen.'],
  ['Can I get a refund for last month?', 'Refunds are possible within 30 days; I have opened a request for you.'],
  ['No, I meant the annual plan, not monthly.', 'Understood — for the annual plan the refund is pro-rated.'],
] as const;

function supportChat(random: () => number, pick: Pick, at: number, n: number): LogInteractionInput[] {
  const turns = 1 + Math.floor(random() * 3);
  const messages: { role: string; content: string }[] = [{ role: 'system', content: 'You are Acme support. Be brief and kind.' }];
  const out: LogInteractionInput[] = [];
  for (let t = 0; t < turns; t++) {
    const [q, a] = pick(SUPPORT);
    messages.push({ role: 'user', content: q });
    const fast = random() < 0.5;
    out.push({
      workloadId: 'support-bot',
      clientId: pick(['web', 'ios', 'android']),
      conversationId: `support-${n}`,
      sessionId: `support-session-${n}`,
      subjectId: `customer-${Math.floor(random() * 500)}`,
      promptVersionId: 'support-v3',
      request: { model: fast ? 'gpt-4o-mini' : 'gpt-4o', messages: [...messages], temperature: 0.3 },
      response: answer(fast ? 'gpt-4o-mini-2024-07-18' : 'gpt-4o-2024-08-06', a),
      latencyMs: Math.round((fast ? 300 : 1200) + random() * 800),
      costUsd: fast ? 0.00003 : 0.0004,
      tags: ['support'],
      occurredAt: new Date(at + t * 45_000).toISOString(),
    });
    messages.push({ role: 'assistant', content: a });
  }
  return out;
}

const SQL_QUESTIONS = [
  ['How many orders shipped last week?', 'orders', "SELECT COUNT(*) FROM orders WHERE shipped_at >= date('now','-7 days');", '1,284 orders shipped last week.'],
  ['Top 5 customers by revenue this year', 'revenue', 'SELECT customer_id, SUM(total) AS revenue FROM orders GROUP BY customer_id ORDER BY revenue DESC LIMIT 5;', 'Here are the five largest customers by revenue.'],
  ['Average delivery time per region', 'logistics', 'SELECT region, AVG(delivered_at - shipped_at) FROM orders GROUP BY region;', 'Average delivery time ranges from 2.1 to 4.8 days.'],
] as const;

function textToSql(random: () => number, pick: Pick, at: number, n: number): LogInteractionInput[] {
  const [question, label, sql, summary] = pick(SQL_QUESTIONS);
  const runId = `sql-run-${n}`;
  const base = { workloadId: 'text-to-sql', clientId: 'analytics-ui', conversationId: runId, subjectId: `analyst-${Math.floor(random() * 20)}`, tags: ['sql'] };
  const node = (nodeId: string, nodeType: 'classifier' | 'codegen' | 'writer', content: string, offset: number): LogInteractionInput => ({
    ...base,
    promptVersionId: `sql-${nodeType}-v2`,
    pipeline: { runId, nodeId, nodeType },
    request: { model: nodeType === 'codegen' ? 'gpt-4o' : 'gpt-4o-mini', messages: [{ role: 'system', content: `You are the ${nodeType} step.` }, { role: 'user', content: question }] },
    response: answer(nodeType === 'codegen' ? 'gpt-4o-2024-08-06' : 'gpt-4o-mini-2024-07-18', content),
    latencyMs: Math.round(200 + random() * (nodeType === 'codegen' ? 1500 : 400)),
    costUsd: nodeType === 'codegen' ? 0.0006 : 0.00002,
    occurredAt: new Date(at + offset).toISOString(),
  });
  return [node('classify', 'classifier', label, 0), node('generate-sql', 'codegen', sql, 400), node('summarise', 'writer', summary, 2400)];
}

function hashCode(text: string): number {
  let h = 0;
  for (let i = 0; i < text.length; i++) h = (Math.imul(31, h) + text.charCodeAt(i)) | 0;
  return h;
}
