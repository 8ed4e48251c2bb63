import { print } from 'graphql';
import { RecordSignalsDocument, type RecordSignalInput, type RecordSignalsMutation } from '../../graph/generated/operations';
import type { LogInteractionInput } from '../../services/ingest/commands';
import { seededRandom } from '../../lib/random';

/**
 * Feedback for the demo traffic, from a hidden quality per answer, so calibration and the bias
 * reports have something true to find:
 * - implicit behaviour follows quality (good answers are copied and adopted, bad ones stopped,
 *   regenerated, rewritten);
 * - explicit thumbs come from a biased minority: web and Slack users rate far more than mobile
 *   ones, long questions more than short ones (survivorship), and raters prefer fast answers
 *   beyond their quality (latency bias);
 * - some thumbs are on the `speed` dimension, which tracks latency and not quality.
 * Explicit feedback is far more common here than the <1% of production, or a 600-interaction
 * demo would leave calibration nothing to fit.
 */
export function demoSignals(traffic: readonly LogInteractionInput[], interactionIds: readonly string[], seed = 42): RecordSignalInput[] {
  const random = seededRandom(seed ^ 0x5eed);
  const chance = (p: number) => random() < p;
  const signals: RecordSignalInput[] = [];
  traffic.forEach((item, i) => {
    const interactionId = interactionIds[i];
    if (!interactionId || !userFacing(item)) return;
    const model = typeof item.request['model'] === 'string' ? item.request['model'] : '';
    const good = chance(model === 'gpt-4o' ? 0.8 : 0.62);
    const add = (signal: Omit<RecordSignalInput, 'interactionId' | 'signalId'>) =>
      signals.push({ interactionId, signalId: `demo-${i}-${signals.length}`, ...signal });
    if (item.pipeline?.nodeType === 'codegen') {
      add({ type: 'adopted', adoption: good ? (chance(0.8) ? 'accepted' : 'partial') : chance(0.7) ? 'rejected' : 'partial' });
    } else if (good) {
      if (chance(0.5)) add({ type: 'copied', fraction: Math.round((0.4 + random() * 0.6) * 100) / 100 });
      if (chance(0.2)) add({ type: 'followUp', reask: false });
    } else {
      if (chance(0.3)) add({ type: 'stopped', tokensReceived: Math.floor(5 + random() * 40) });
      if (chance(0.35)) add({ type: 'regenerated' });
      if (chance(0.2)) add({ type: 'edited', editedText: 'I rewrote most of this answer myself.' });
      if (chance(0.08)) add({ type: 'deleted' });
    }
    const latency = item.latencyMs ?? 1_000;
    const question = lastUserText(item);
    const client = item.clientId ?? 'unknown';
    const rate = (client === 'web' || client === 'slack' || client === 'analytics-ui' ? 0.3 : client === 'teams' ? 0.15 : 0.04) * (question.length > 40 ? 1.4 : 0.8);
    if (chance(rate)) {
      const speedy = latency < 900 ? 0.2 : latency > 1_500 ? -0.25 : 0;
      add({ type: chance((good ? 0.78 : 0.22) + speedy) ? 'thumbsUp' : 'thumbsDown' });
    }
    if (chance(rate * 0.3)) add({ type: latency < 1_000 ? 'thumbsUp' : 'thumbsDown', dimension: 'speed' });
  });
  return signals;
}

/** Answers a person saw: not tool calls, and of a pipeline only its codegen and writer steps. */
function userFacing(item: LogInteractionInput): boolean {
  if (item.pipeline) return item.pipeline.nodeType === 'codegen' || item.pipeline.nodeType === 'writer';
  return !JSON.stringify(item.response ?? {}).includes('tool_calls');
}

function lastUserText(item: LogInteractionInput): string {
  const messages: unknown = item.request['messages'];
  if (!Array.isArray(messages)) return '';
  for (let i = messages.length - 1; i >= 0; i--) {
    const m: unknown = messages[i];
    if (typeof m === 'object' && m !== null && 'role' in m && m.role === 'user' && 'content' in m && typeof m.content === 'string') return m.content;
  }
  return '';
}

/** Sends the demo's signals through the public API, 100 per call, as a feedback-scoped app would. */
export async function sendDemoSignals(
  options: { readonly url: string; readonly key: string },
  signals: readonly RecordSignalInput[],
): Promise<{ accepted: number; rejected: number }> {
  const query = print(RecordSignalsDocument);
  let accepted = 0;
  let rejected = 0;
  for (let i = 0; i < signals.length; i += 100) {
    const response = await fetch(options.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${options.key}` },
      body: JSON.stringify({ query, variables: { inputs: signals.slice(i, i + 100) } }),
    });
    const body: { data?: RecordSignalsMutation; errors?: { message: string }[] } = await response.json();
    const result = body.data?.recordSignals;
    if (!response.ok || result?.__typename !== 'RecordedSignals') {
      throw new Error(`the API refused the signals (${response.status}): ${JSON.stringify(body.errors ?? result)}`);
    }
    accepted += result.accepted;
    rejected += result.rejected;
  }
  return { accepted, rejected };
}
