// One lane (a service in a region, for one profile and endpoint): a p-queue whose wait queue is
// our AgingQueue, whose concurrency follows the AIMD window, and whose strict sliding window caps
// starts per second (p-queue's `interval`/`intervalCap`/`strict`). With a shared Redis rate, the
// local window is off: a slot first waits for a token from Redis, then gives it to the best queued
// job at that moment.
//
// A job is a ticket moving through states: queued → running → (backoff → queued …) → done.
// A retry leaves its slot during the backoff and re-enters the queue with its original deadline,
// so it keeps its place. Cancellation depends on the state: a queued ticket is taken out of the
// queue and never starts; a running one has its signal aborted; one in backoff stops waiting.
// Jobs with no signal of their own share the scheduler's close signal: an AbortController costs
// about 3.5 µs here, as much as the whole budget for a trivial job.

import PQueue from 'p-queue';
import { runtimeError } from '../errors.js';
import { publishRequest, type RequestEvent } from '../metrics/channels.js';
import type { Clock } from '../util/clock.js';
import { AgingQueue, PRIORITY_LEVEL, type QueueEntry, type QueueEntryOptions } from './aging-queue.js';
import { AimdLimit } from './aimd.js';
import { fullJitterDelay, type BackoffPolicy } from './backoff.js';
import { isThrottle, isTransient } from './classify.js';
import type { RateWindow } from './options.js';
import type { SharedRate } from './shared-rate.js';
import type { ScheduleOptions } from './types.js';

/** ScheduleOptions plus the operation name published with each request event. */
export interface LaneScheduleOptions extends ScheduleOptions {
  /** e.g. 'DescribeInstances'; shown in metrics. @default 'request' */
  operation?: string;
}

/** What every lane of one scheduler shares. */
export interface LaneSettings {
  clock: Clock;
  concurrency: number;
  /** Local sliding window; undefined when uncapped or when the cap is shared through Redis. */
  localRate?: RateWindow;
  /** The Redis-shared cap, connected on first call; undefined without a Redis URL. */
  sharedRate?: () => Promise<SharedRate>;
  retries: number;
  adaptive: boolean;
  agingMs: number;
  transientBackoff: BackoffPolicy;
  throttleBackoff: BackoffPolicy;
  /** Aborted by close(): the signal of every job that brought none of its own. */
  closeSignal: AbortSignal;
}

export interface LaneStats {
  lane: string;
  inFlight: number;
  queued: number;
  limit: number;
  completed: number;
  throttled: number;
  retries: number;
}

type State = 'queued' | 'running' | 'backoff' | 'done';

interface Ticket extends QueueEntry {
  job: (signal: AbortSignal) => Promise<unknown>;
  operation: string;
  retry: boolean;
  /** Retries made so far. */
  attempt: number;
  state: State;
  userSignal: AbortSignal | undefined;
  controller: AbortController | undefined;
  onAbort: (() => void) | undefined;
  timer: ReturnType<typeof setTimeout> | undefined;
  resolve: (value: unknown) => void;
  reject: (reason: unknown) => void;
}

export class Lane {
  readonly name: string;
  readonly #settings: LaneSettings;
  readonly #queue = new AgingQueue();
  readonly #pq: PQueue<AgingQueue, QueueEntryOptions>;
  readonly #aimd: AimdLimit;
  /** Tickets not yet settled, for close(). */
  readonly #live = new Set<Ticket>();
  #closed = false;
  #inBackoff = 0;
  #completed = 0;
  #throttled = 0;
  #retries = 0;

  constructor(name: string, settings: LaneSettings) {
    this.name = name;
    this.#settings = settings;
    this.#aimd = new AimdLimit(settings.concurrency);
    const queue = this.#queue;
    const rate = settings.localRate;
    this.#pq = new PQueue<AgingQueue, QueueEntryOptions>({
      concurrency: settings.concurrency,
      // p-queue builds its queue with `new`; a constructor returning an object yields that object.
      queueClass: function laneQueue() {
        return queue;
      } as unknown as new () => AgingQueue,
      ...(rate ? { interval: rate.seconds * 1000, intervalCap: rate.points, strict: true } : {}),
    });
  }

  schedule<T>(job: (signal: AbortSignal) => Promise<T>, opts: LaneScheduleOptions = {}): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const userSignal = opts.signal;
      if (userSignal?.aborted) {
        reject(userSignal.reason);
        return;
      }
      const level = PRIORITY_LEVEL[opts.priority ?? 'interactive'];
      if (level === undefined) {
        reject(new TypeError(`Expected \`priority\` to be one of ${Object.keys(PRIORITY_LEVEL).join(', ')}, got \`${String(opts.priority)}\``));
        return;
      }
      const t: Ticket = {
        deadline: this.#settings.clock.monotonic() - level * this.#settings.agingMs,
        level,
        seq: 0,
        run: undefined,
        job,
        operation: opts.operation ?? 'request',
        retry: opts.retry ?? true,
        attempt: 0,
        state: 'queued',
        userSignal,
        controller: undefined,
        onAbort: undefined,
        timer: undefined,
        resolve: resolve as (value: unknown) => void,
        reject,
      };
      if (userSignal) {
        t.onAbort = () => this.#cancel(t, userSignal.reason);
        userSignal.addEventListener('abort', t.onAbort, { once: true });
      }
      this.#live.add(t);
      this.#submit(t);
    });
  }

  stats(): LaneStats {
    return {
      lane: this.name,
      inFlight: this.#pq.pending,
      queued: this.#queue.size + this.#inBackoff,
      limit: this.#pq.concurrency,
      completed: this.#completed,
      throttled: this.#throttled,
      retries: this.#retries,
    };
  }

  /** Rejects queued and waiting jobs with `reason`, aborts running ones, resolves when none runs. */
  async close(reason: unknown): Promise<void> {
    this.#closed = true;
    for (const t of this.#live) this.#cancel(t, reason);
    await this.#pq.onPendingZero();
  }

  #submit(t: Ticket): void {
    t.state = 'queued';
    // The returned promise only mirrors #attempt, which never rejects; a ticket cancelled while
    // queued leaves it pending, and it is collected with the ticket.
    void this.#pq.add(() => this.#attempt(t), { entry: t });
  }

  #cancel(t: Ticket, reason: unknown): void {
    switch (t.state) {
      case 'queued':
        this.#queue.cancel(t);
        this.#settle(t, false, reason);
        return;
      case 'backoff':
        clearTimeout(t.timer);
        this.#inBackoff--;
        this.#settle(t, false, reason);
        return;
      case 'running':
        t.controller?.abort(reason);
        return;
      case 'done':
        return;
    }
  }

  async #attempt(dequeued: Ticket): Promise<void> {
    const t = this.#settings.sharedRate ? await this.#tokenFor(dequeued) : dequeued;
    if (!t) return;
    t.state = 'running';
    const signal = this.#signalOf(t);
    const { clock } = this.#settings;
    const started = clock.monotonic();
    try {
      const value = await t.job(signal);
      const ms = clock.monotonic() - started;
      if (this.#settings.adaptive) {
        this.#aimd.onSuccess(ms);
        this.#applyLimit();
      }
      this.#completed++;
      this.#publish(t, 'ok', ms);
      this.#settle(t, true, value);
    } catch (err) {
      this.#failed(t, err, started, signal);
    }
  }

  /**
   * Waits in the slot for a shared rate token, then hands it to the best job at that moment: a
   * job that arrived or aged past the waiting one while it waited takes the token, and the waiting
   * one goes back to the queue with its deadline. Undefined when the wait failed or was cancelled.
   */
  async #tokenFor(t: Ticket): Promise<Ticket | undefined> {
    t.state = 'running';
    const signal = this.#signalOf(t);
    try {
      await (await (this.#settings.sharedRate as () => Promise<SharedRate>)()).take(this.name, signal);
    } catch (err) {
      this.#failed(t, err, this.#settings.clock.monotonic(), signal);
      return undefined;
    }
    const better = this.#queue.takeBefore(t) as Ticket | undefined;
    if (!better) return t;
    if (signal.aborted) this.#settle(t, false, signal.reason);
    else this.#submit(t);
    return better;
  }

  /** The signal a running job gets: its own controller if it brought a signal, else the close signal. */
  #signalOf(t: Ticket): AbortSignal {
    const { closeSignal } = this.#settings;
    if (!t.userSignal) return closeSignal;
    if (!t.controller) {
      t.controller = new AbortController();
      if (closeSignal.aborted) t.controller.abort(closeSignal.reason);
    }
    return t.controller.signal;
  }

  #failed(t: Ticket, err: unknown, started: number, signal: AbortSignal): void {
    const now = this.#settings.clock.monotonic();
    const ms = now - started;
    if (signal.aborted) {
      this.#publish(t, 'cancelled', ms);
      this.#settle(t, false, signal.reason);
      return;
    }
    const throttled = isThrottle(err);
    if (throttled) {
      this.#throttled++;
      if (this.#settings.adaptive) {
        this.#aimd.onThrottle(started, now);
        this.#applyLimit();
      }
    }
    const retryable = throttled || isTransient(err);
    if (retryable && t.retry && !this.#closed && t.attempt < this.#settings.retries) {
      this.#publish(t, throttled ? 'throttled' : 'retry', ms);
      this.#retries++;
      const delay = fullJitterDelay(t.attempt, throttled ? this.#settings.throttleBackoff : this.#settings.transientBackoff);
      t.attempt++;
      t.state = 'backoff';
      this.#inBackoff++;
      t.timer = setTimeout(() => {
        this.#inBackoff--;
        this.#submit(t);
      }, delay);
      return;
    }
    this.#publish(t, throttled ? 'throttled' : 'error', ms);
    if (throttled && t.retry && t.attempt > 0) {
      err = runtimeError(
        'THROTTLED',
        `${this.name}: still throttled after ${t.attempt + 1} attempts`,
        'Lower --concurrency, or set scheduler.rate in the config file to stay under the service limit.',
        err,
      );
    }
    this.#settle(t, false, err);
  }

  #settle(t: Ticket, ok: boolean, valueOrReason: unknown): void {
    t.state = 'done';
    this.#live.delete(t);
    if (t.onAbort) t.userSignal?.removeEventListener('abort', t.onAbort);
    if (ok) t.resolve(valueOrReason);
    else t.reject(valueOrReason);
  }

  #applyLimit(): void {
    const limit = this.#aimd.limit;
    if (limit !== this.#pq.concurrency) this.#pq.concurrency = limit;
  }

  #publish(t: Ticket, outcome: RequestEvent['outcome'], ms: number): void {
    publishRequest({ lane: this.name, operation: t.operation, outcome, ms });
  }
}
