import { afterEach, describe, expect, it, vi } from 'vitest';
import { sleep } from '../../src/util/sleep.js';

describe('sleep', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('resolves after the given time (driven by fake timers)', async () => {
    vi.useFakeTimers();
    let done = false;
    const p = sleep(100).then(() => (done = true));
    await vi.advanceTimersByTimeAsync(99);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await p;
    expect(done).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('rejects with the reason as soon as the signal aborts, leaving no timer', async () => {
    vi.useFakeTimers();
    const ac = new AbortController();
    const p = sleep(10_000, ac.signal);
    ac.abort(new Error('stop'));
    await expect(p).rejects.toThrow('stop');
    expect(vi.getTimerCount()).toBe(0);
  });

  it('rejects at once when the signal has already aborted', async () => {
    await expect(sleep(10_000, AbortSignal.abort(new Error('gone')))).rejects.toThrow('gone');
  });

  it('with resolveOnAbort, resolves on abort instead (and at once if already aborted)', async () => {
    vi.useFakeTimers();
    const ac = new AbortController();
    const p = sleep(10_000, ac.signal, { resolveOnAbort: true });
    ac.abort();
    await expect(p).resolves.toBeUndefined();
    expect(vi.getTimerCount()).toBe(0);
    await expect(sleep(10_000, AbortSignal.abort(), { resolveOnAbort: true })).resolves.toBeUndefined();
  });

  it('removes its abort listener once the time is up', async () => {
    vi.useFakeTimers();
    const ac = new AbortController();
    const remove = vi.spyOn(ac.signal, 'removeEventListener');
    const p = sleep(5, ac.signal);
    await vi.advanceTimersByTimeAsync(5);
    await p;
    expect(remove).toHaveBeenCalledWith('abort', expect.any(Function));
  });
});
