/** What settling needs of an app (FlywheelApp has it) or of a hand-built stack in a test. */
export interface Settleable {
  readonly store: { headPosition(): Promise<number> };
  readonly projector: { waitFor(position: number, timeoutMs?: number): Promise<void> };
  readonly reactors: readonly { waitFor(position: number, timeoutMs?: number): Promise<void> }[];
}

/**
 * Waits, with a deadline, until the log is quiet: every reactor has handled every event up to
 * the head (a reactor appends its follow-ups before it moves on, so they are in), every read
 * model has applied them, and the head did not move meanwhile. Waiting for the head alone is
 * not enough: a reactor's follow-up lands after it. Answers the settled head.
 */
export async function settled(app: Settleable, timeoutMs = 30_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const head = await app.store.headPosition();
    const left = deadline - Date.now();
    if (left <= 0) throw new Error(`the log did not settle within ${timeoutMs} ms (head ${head})`);
    await Promise.all([app.projector.waitFor(head, left), ...app.reactors.map((r) => r.waitFor(head, left))]);
    if ((await app.store.headPosition()) === head) return head;
  }
}
