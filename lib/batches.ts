const YIELD = Symbol('yield');

/**
 * Batches of what an async iterator has at hand: waits for the first item, then takes more
 * only while they arrive without waiting (a catch-up page), up to `max`. A live item goes out
 * on its own; a backlog goes out in large batches. Between batches the event loop is yielded,
 * since a backlog otherwise resolves entirely in microtasks and starves timers and requests.
 */
export async function* batchesAtHand<T>(iterable: AsyncIterable<T>, max: number): AsyncGenerator<T[]> {
  const iterator = iterable[Symbol.asyncIterator]();
  let pending: Promise<IteratorResult<T>> | null = null;
  for (;;) {
    const first: IteratorResult<T> = await (pending ?? iterator.next());
    pending = null;
    if (first.done) return;
    const batch = [first.value];
    let done = false;
    while (batch.length < max) {
      const next: Promise<IteratorResult<T>> = iterator.next();
      const raced = await Promise.race([next, new Promise<typeof YIELD>((r) => setImmediate(() => r(YIELD)))]);
      if (raced === YIELD) {
        pending = next;
        break;
      }
      if (raced.done) {
        done = true;
        break;
      }
      batch.push(raced.value);
    }
    yield batch;
    if (done) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}
