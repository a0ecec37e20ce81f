import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/util/clock.js';
import { TokenBucket } from '../../src/aws/s3/bandwidth.js';

describe('bandwidth token bucket', () => {
  it('lets one second of bytes through at once, then holds the long-run rate', async () => {
    const clock = new ManualClock();
    const waits: number[] = [];
    const bucket = new TokenBucket(1000, clock, async (ms) => {
      waits.push(ms);
      clock.advance(ms);
    });
    const start = clock.monotonic();
    for (let i = 0; i < 10; i++) await bucket.take(500);
    // 5,000 bytes at 1,000 B/s with a 1,000-byte burst; the last take goes into debt (500 bytes)
    // that the next taker repays: 3.5 s of waiting
    expect(clock.monotonic() - start).toBe(3500);
    await bucket.take(1);
    expect(clock.monotonic() - start).toBe(4000);
    expect(waits.every((w) => w > 0)).toBe(true);
  });

  it('a take larger than the burst waits for its debt before the next take', async () => {
    const clock = new ManualClock();
    const bucket = new TokenBucket(100, clock, async (ms) => void clock.advance(ms));
    await bucket.take(1000);
    const before = clock.monotonic();
    await bucket.take(1);
    expect(clock.monotonic() - before).toBe(9000);
  });
});
