// A bounded work queue: maps a (possibly endless) source with at most `limit` tasks in flight and
// pulls the next item only when a slot frees (backpressure: a listing of a million keys is never
// read ahead of the transfers). Results stream out as tasks finish. A failure (of a task or of the
// source) stops the intake, lets the running tasks settle and still hands out what they finished
// (that work was done: a copy's caller must see it), then rethrows; closing early stops the same way.

export async function* boundedMap<T, R>(source: AsyncIterable<T>, limit: number, task: (item: T) => Promise<R>): AsyncGenerator<R> {
  const it = source[Symbol.asyncIterator]();
  const running = new Map<number, Promise<{ id: number; ok: boolean; value?: R; error?: unknown }>>();
  let nextId = 0;
  let exhausted = false;
  let failure: { error: unknown } | undefined;
  try {
    for (;;) {
      while (!exhausted && !failure && running.size < Math.max(1, limit)) {
        const step = await it.next().catch((error: unknown) => {
          failure ??= { error };
          return undefined;
        });
        if (!step || step.done) {
          exhausted = true;
          break;
        }
        const id = nextId++;
        running.set(
          id,
          task(step.value).then(
            (value) => ({ id, ok: true, value }),
            (error: unknown) => ({ id, ok: false, error }),
          ),
        );
      }
      if (running.size === 0) break;
      const done = await Promise.race(running.values());
      running.delete(done.id);
      if (!done.ok) failure ??= { error: done.error };
      else yield done.value as R;
    }
    if (failure) throw failure.error;
  } finally {
    await Promise.allSettled(running.values());
    if (!exhausted) await it.return?.();
  }
}
