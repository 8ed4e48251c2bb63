import { parseArgs } from 'node:util';
import { print } from 'graphql';
import { LogInteractionsDocument, type LogInteractionsMutation } from '../../graph/generated/operations';
import { ConfigError, loadDemoConfig } from '../config';
import { demoSignals, sendDemoSignals } from './signals';
import { demoTraffic } from './traffic';

export interface DemoOptions {
  readonly url: string;
  readonly key: string;
  readonly count: number;
  readonly batchSize: number;
  readonly seed: number;
  /** Where the progress bar goes (stderr by default; tests pass a sink). */
  readonly progress?: (done: number, total: number) => void;
  /** Also send feedback signals on the traffic (app/demo/signals.ts); the key then needs the feedback scope. */
  readonly signals?: boolean;
}

export interface DemoResult {
  readonly accepted: number;
  readonly rejected: number;
  readonly workloads: readonly string[];
  readonly signals?: { readonly accepted: number; readonly rejected: number };
}

function bar(done: number, total: number): void {
  const width = 30;
  const filled = Math.round((done / total) * width);
  process.stderr.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} interactions`);
  if (done === total) process.stderr.write('\n');
}

/** Sends synthetic traffic through the public API in batches, as an app would. */
export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const traffic = [...demoTraffic({ count: options.count, seed: options.seed })];
  const progress = options.progress ?? bar;
  let accepted = 0;
  let rejected = 0;
  const ids: string[] = [];
  const query = print(LogInteractionsDocument);
  for (let i = 0; i < traffic.length; i += options.batchSize) {
    const inputs = traffic.slice(i, i + options.batchSize);
    const response = await fetch(options.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${options.key}` },
      body: JSON.stringify({ query, variables: { inputs } }),
    });
    const body: { data?: LogInteractionsMutation; errors?: { message: string }[] } = await response.json();
    const result = body.data?.logInteractions;
    if (!response.ok || !result || result.__typename !== 'LoggedInteractions') {
      throw new Error(`the API refused the batch (${response.status}): ${JSON.stringify(body.errors ?? result)}`);
    }
    accepted += result.accepted;
    rejected += result.rejected;
    result.items.forEach((item, k) => {
      if (item.__typename === 'InteractionAccepted') ids[i + k] = item.interactionId;
    });
    progress(Math.min(i + options.batchSize, traffic.length), traffic.length);
  }
  const workloads = [...new Set(traffic.map((t) => t.workloadId))].sort();
  if (!options.signals) return { accepted, rejected, workloads };
  return { accepted, rejected, workloads, signals: await sendDemoSignals(options, demoSignals(traffic, ids, options.seed)) };
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      count: { type: 'string', default: '600' },
      batch: { type: 'string', default: '50' },
      seed: { type: 'string', default: '42' },
      url: { type: 'string' },
      key: { type: 'string' },
      'no-signals': { type: 'boolean', default: false },
    },
  });
  let env;
  try {
    env = loadDemoConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      return 2;
    }
    throw error;
  }
  const key = values.key ?? env.FLYWHEEL_API_KEY ?? env.FLYWHEEL_ADMIN_KEY;
  if (!key) {
    process.stderr.write(
      'npm run demo needs a key with the ingest and feedback scopes: FLYWHEEL_API_KEY=<key> npm run demo\n' +
        '(the admin key `npm start` printed on its first start will do).\n',
    );
    return 2;
  }
  const count = Number(values.count);
  const batchSize = Number(values.batch);
  if (!Number.isInteger(count) || count < 1 || !Number.isInteger(batchSize) || batchSize < 1 || batchSize > 1000) {
    process.stderr.write('--count must be a positive integer and --batch between 1 and 1000\n');
    return 2;
  }
  const url = values.url ?? env.FLYWHEEL_URL;
  const result = await runDemo({ url, key, count, batchSize, seed: Number(values.seed) || 42, signals: !values['no-signals'] });
  process.stdout.write(
    `\nLogged ${result.accepted} interactions (${result.rejected} refused) for ${result.workloads.join(', ')}.\n` +
      (result.signals ? `Sent ${result.signals.accepted} feedback signals (${result.signals.rejected} refused); --no-signals to skip.\n` : '') +
      `Open ${url} (GraphiQL) and try the queries in the README's "Try it" section.\n`,
  );
  return result.rejected === 0 ? 0 : 1;
}

if (require.main === module) {
  main().then(
    (code) => (process.exitCode = code),
    (error: unknown) => {
      process.stderr.write(`\n${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
