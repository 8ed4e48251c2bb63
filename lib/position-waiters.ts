/** Lets callers wait until a subscriber (projection, reactor) has handled a given position. */
export class PositionWaiters {
  private current = -1;
  private readonly waiters = new Set<{ position: number; resolve: () => void }>();

  constructor(private readonly what: string) {}

  get position(): number {
    return this.current;
  }

  /** Sets the position without waking anyone (a reset before a rebuild, a loaded checkpoint). */
  reset(position: number): void {
    this.current = position;
  }

  advance(position: number): void {
    this.current = position;
    for (const waiter of this.waiters) {
      if (waiter.position <= position) {
        this.waiters.delete(waiter);
        waiter.resolve();
      }
    }
  }

  waitFor(position: number, timeoutMs: number): Promise<void> {
    if (this.current >= position) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const waiter = {
        position,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`${this.what} did not reach position ${position} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }
}
