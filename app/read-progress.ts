import type { Projector } from '../projections/projector';
import type { ReadStore } from '../projections/read-store';

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
