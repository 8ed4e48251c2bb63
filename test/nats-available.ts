import { spawnSync } from 'node:child_process';

/**
 * Whether a NATS server answers at the test URL, known synchronously so a suite can decide at
 * describe time whether to run (describeIf). The probe runs in a child process because jest
 * collects describe blocks synchronously and a socket needs the event loop.
 */
export const natsUrl = process.env.NATS_TEST_URL ?? 'nats://127.0.0.1:4222';

/** CI sets REQUIRE_NATS=1: there a missing server is a failure, never a skip. */
export const natsRequired = process.env.REQUIRE_NATS === '1';

export const natsAvailable = probeNats(natsUrl);

/** Run NATS suites when the server is up, or when it is required (so they fail loudly). */
export const runNatsSuites = natsAvailable || natsRequired;

export const natsSkipReason = `no NATS server at ${natsUrl} (set NATS_TEST_URL, or REQUIRE_NATS=1 to fail instead)`;

/** Fails with a clear message when NATS is required but absent, instead of a bare connection error. */
export function assertNatsReachable(): void {
  if (!natsAvailable) throw new Error(`REQUIRE_NATS=1 but no NATS server answered at ${natsUrl}`);
}

function probeNats(url: string, timeoutMs = 1_500): boolean {
  const target = hostAndPort(url);
  if (!target) return false;
  // A NATS server greets every client with an INFO line; an open port that is not NATS fails.
  const script = `
    const socket = require('node:net').connect(${JSON.stringify(target)});
    const fail = () => process.exit(1);
    socket.setTimeout(${timeoutMs}, fail);
    socket.on('error', fail);
    socket.once('data', (chunk) => process.exit(chunk.toString('latin1').startsWith('INFO ') ? 0 : 1));
  `;
  const result = spawnSync(process.execPath, ['-e', script], { timeout: timeoutMs + 1_000, stdio: 'ignore' });
  return result.status === 0;
}

function hostAndPort(url: string): { host: string; port: number } | undefined {
  // Only the first server of a comma-separated list; `host:port` without a scheme is allowed.
  const first = url.split(',')[0]?.trim() ?? '';
  try {
    const parsed = new URL(first.includes('://') ? first : `nats://${first}`);
    return { host: parsed.hostname.replace(/^\[(.*)\]$/, '$1'), port: parsed.port ? Number(parsed.port) : 4222 };
  } catch {
    return undefined;
  }
}
