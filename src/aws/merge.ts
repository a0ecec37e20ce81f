// Several async streams as one, in the order their items arrive (regions answering at their own
// pace). Each source is pulled one item at a time, so a slow consumer slows every source down.
// The first failure ends the merge unless `onError` takes it (--keep-going), and an early exit
// closes every source.

export async function* mergeStreams<T>(sources: AsyncIterable<T>[], onError?: (err: unknown, index: number) => void): AsyncGenerator<T> {
  const iterators = sources.map((s) => s[Symbol.asyncIterator]());
  type Step = { index: number; result?: IteratorResult<T>; error?: unknown };
  const pending = new Map<number, Promise<Step>>();
  const pull = (index: number) =>
    pending.set(
      index,
      iterators[index].next().then(
        (result) => ({ index, result }),
        (error: unknown) => ({ index, error }),
      ),
    );
  iterators.forEach((_, i) => pull(i));
  try {
    while (pending.size > 0) {
      const step = await Promise.race(pending.values());
      pending.delete(step.index);
      if (step.error !== undefined) {
        if (!onError) throw step.error;
        onError(step.error, step.index);
        continue;
      }
      if (step.result!.done) continue;
      pull(step.index);
      yield step.result!.value;
    }
  } finally {
    await Promise.allSettled([...pending.keys()].map((i) => iterators[i].return?.()));
  }
}
