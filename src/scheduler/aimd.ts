// Adaptive concurrency for one lane: additive increase, multiplicative decrease (as TCP).
//
// The window starts at the configured cap. A throttled answer halves it (never below 1), but only
// once per congestion event: a throttle from a request that started before the last cut is the
// same event seen late, as when 16 requests in flight are all refused together. Each success whose
// latency stays within LATENCY_TOLERANCE × the lane's running average adds 1/window, so a full
// window of good answers adds one slot; the window never exceeds the cap. The lane runs
// floor(window) requests at once.

/** A success "holds latency" when it is no slower than this multiple of the running average. */
const LATENCY_TOLERANCE = 2;
/** Weight of the newest latency in the running average (about the last 10 answers). */
const LATENCY_EWMA_ALPHA = 0.1;

export class AimdLimit {
  readonly #cap: number;
  #window: number;
  #lastCutAt = Number.NEGATIVE_INFINITY;
  #avgLatency = 0;

  constructor(cap: number) {
    this.#cap = cap;
    this.#window = cap;
  }

  get limit(): number {
    return Math.floor(this.#window);
  }

  /** A request succeeded after `latencyMs`. */
  onSuccess(latencyMs: number): void {
    const holds = this.#avgLatency === 0 || latencyMs <= LATENCY_TOLERANCE * this.#avgLatency;
    this.#avgLatency = this.#avgLatency === 0 ? latencyMs : this.#avgLatency + LATENCY_EWMA_ALPHA * (latencyMs - this.#avgLatency);
    if (holds && this.#window < this.#cap) this.#window = Math.min(this.#cap, this.#window + 1 / this.#window);
  }

  /** A request that started at `startedAt` was throttled, noticed at `now` (both monotonic ms). */
  onThrottle(startedAt: number, now: number): void {
    if (startedAt < this.#lastCutAt) return;
    this.#window = Math.max(1, this.#window / 2);
    this.#lastCutAt = now;
  }
}
