import type { Logger } from '../lib/logger';
import type { Projector } from '../projections/projector';
import type { ReadStore } from '../projections/read-store';
import type { Adapters } from './adapters';

export interface ReadProgress {
  /** Each read model's checkpoint. */
  checkpoints(): Promise<readonly { name: string; checkpoint: number }[]>;
  /** Resolves once every read model has applied `position` (default wait 10 s). */
  waitFor(position: number, timeoutMs?: number): Promise<void>;
}

/**
 * How far the read models are. An instance that projects asks its own projector; an API-only
 * instance has none running, but the instance that projects commits its checkpoints to the
 * shared read store, so that is where it looks (polling).
 */
export function readProgress(projector: Projector, readStore: ReadStore, projecting: boolean): ReadProgress {
  const checkpoints = async () =>
    projecting ? projector.status() : Promise.all(projector.names().map(async (name) => ({ name, checkpoint: (await readStore.getCheckpoint(name)) ?? -1 })));
  return {
    checkpoints,
    waitFor: (position, timeoutMs) => (projecting ? projector.waitFor(position, timeoutMs) : waitForCheckpoints(checkpoints, position, timeoutMs)),
  };
}

async function waitForCheckpoints(
  checkpoints: () => Promise<readonly { name: string; checkpoint: number }[]>,
  position: number,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const behind = (await checkpoints()).filter((c) => c.checkpoint < position).map((c) => c.name);
    if (behind.length === 0) return;
    if (Date.now() >= deadline) {
      throw new Error(`${behind.join(', ')} did not reach position ${position} within ${timeoutMs} ms (is the projecting instance running?)`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * What `/ready` answers: the stores respond, each read model's lag behind the log, and (where
 * this instance projects) whether every read model is running. A store that fails is a not-ready
 * answer, logged, never a crash.
 */
export async function readiness(
  adapters: Adapters,
  read: ReadProgress,
  projector: Projector | null,
  logger: Logger,
): Promise<{ ready: boolean; details: Record<string, unknown> }> {
  try {
    const head = await adapters.eventStore.headPosition();
    await adapters.readStore.count('workloads', {});
    const lag = Object.fromEntries((await read.checkpoints()).map((s) => [s.name, Math.max(0, head - s.checkpoint)]));
    const ready = projector === null || projector.status().every((s) => s.running);
    return { ready, details: { head, lag, adapters: adapters.kinds } };
  } catch (error) {
    logger.warn({ err: error }, 'readiness check failed');
    return { ready: false, details: { error: error instanceof Error ? error.name : 'unknown' } };
  }
}
