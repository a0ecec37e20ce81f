// A log-bucketed latency histogram (the DDSketch idea): bucket i holds values in
// (γ^(i-1), γ^i] microseconds with γ = 1.02, so any percentile is within 1% of the true value,
// buckets are sparse, and two histograms merge by adding counts — across processes too, which
// is what the usage log and `perf report` need.
//
// Why not hdr-histogram-js: it costs ~45 ms to import here (it inlines a WebAssembly build),
// and metrics are on the path of every command that records usage.

export interface EncodedHistogram {
  /** [bucket index, count] pairs. */
  b: [number, number][];
  n: number;
  sum: number;
  min: number;
  max: number;
}

const GAMMA = 1.02;
const LOG_GAMMA = Math.log(GAMMA);

export class LatencyHistogram {
  readonly #counts = new Map<number, number>();
  /** Bucket indexes in order, kept until a new bucket appears (p50, p95 and p99 share one sort). */
  #sorted: number[] | undefined;
  count = 0;
  sumMs = 0;
  minMs = Infinity;
  maxMs = 0;

  /** Records a duration in milliseconds (negative values count as 0). */
  record(ms: number, times = 1): void {
    const v = Math.max(0, ms);
    const us = v * 1000;
    const i = us <= 1 ? 0 : Math.ceil(Math.log(us) / LOG_GAMMA);
    this.#add(i, times);
    this.count += times;
    this.sumMs += v * times;
    if (v < this.minMs) this.minMs = v;
    if (v > this.maxMs) this.maxMs = v;
  }

  /** The value at quantile q in [0, 1], in ms; NaN when empty. */
  percentile(q: number): number {
    if (this.count === 0) return NaN;
    const rank = Math.max(1, Math.ceil(q * this.count));
    let seen = 0;
    for (const i of this.#sortedIndexes()) {
      seen += this.#counts.get(i)!;
      if (seen >= rank) return Math.min(this.maxMs, Math.max(this.minMs, LatencyHistogram.#value(i)));
    }
    return this.maxMs;
  }

  get meanMs(): number {
    return this.count ? this.sumMs / this.count : NaN;
  }

  /** Representative values with their counts, for resampling tests. */
  *buckets(): Generator<[valueMs: number, count: number]> {
    for (const i of this.#sortedIndexes()) yield [LatencyHistogram.#value(i), this.#counts.get(i)!];
  }

  #add(i: number, count: number): void {
    const had = this.#counts.get(i);
    if (had === undefined) this.#sorted = undefined;
    this.#counts.set(i, (had ?? 0) + count);
  }

  #sortedIndexes(): number[] {
    return (this.#sorted ??= [...this.#counts.keys()].sort((a, b) => a - b));
  }

  merge(other: LatencyHistogram | EncodedHistogram): this {
    const enc = other instanceof LatencyHistogram ? other.encode() : other;
    for (const [i, c] of enc.b) this.#add(i, c);
    this.count += enc.n;
    this.sumMs += enc.sum;
    if (enc.n > 0) {
      this.minMs = Math.min(this.minMs, enc.min);
      this.maxMs = Math.max(this.maxMs, enc.max);
    }
    return this;
  }

  encode(): EncodedHistogram {
    return {
      b: [...this.#counts.entries()].sort((a, b) => a[0] - b[0]),
      n: this.count,
      sum: Number(this.sumMs.toFixed(3)),
      min: this.count ? this.minMs : 0,
      max: this.maxMs,
    };
  }

  static decode(enc: EncodedHistogram): LatencyHistogram {
    return new LatencyHistogram().merge(enc);
  }

  /** Midpoint of bucket i, in ms (relative error ≤ 1%). */
  static #value(i: number): number {
    if (i === 0) return 0.001;
    return ((GAMMA ** i + GAMMA ** (i - 1)) / 2) / 1000;
  }
}
