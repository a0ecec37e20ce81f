// Services a command may ask for, created on first use and closed once at the end of the run.
// Nothing here is imported eagerly: a command that never asks for the engine never loads it.

import type { Config } from '../config/schema.js';
import type { GlobalOptions } from './globals.js';
import type { Engine } from '../engine/index.js';
import type { createScheduler } from '../scheduler/index.js';

export type SchedulerHandle = ReturnType<typeof createScheduler>;

export interface Services {
  engine(): Promise<Engine>;
  scheduler(): Promise<SchedulerHandle>;
  /** Registers something to close at the end of the run (clients, watchers, servers). */
  onClose(fn: () => unknown): void;
  close(): Promise<void>;
}

export function createServices(config: Config, globals: GlobalOptions, warn: (m: string) => void): Services {
  let engine: Promise<Engine> | undefined;
  let scheduler: Promise<SchedulerHandle> | undefined;
  const closers: Array<() => unknown> = [];

  const services: Services = {
    scheduler() {
      scheduler ??= import('../scheduler/index.js').then(({ createScheduler }) => {
        const s = createScheduler({
          concurrency: globals.concurrency ?? config.scheduler.concurrency,
          rate: config.scheduler.rate,
          retries: config.scheduler.retries,
          redisUrl: config.cache.redisUrl,
          redisTimeoutMs: config.cache.redisTimeout,
        });
        closers.push(() => s.close());
        return s;
      });
      return scheduler;
    },
    engine() {
      engine ??= import('../engine/index.js').then(({ createEngine }) => {
        const e = createEngine({ config, warn });
        closers.push(() => e.close());
        return e;
      });
      return engine;
    },
    onClose(fn) {
      closers.push(fn);
    },
    async close() {
      const all = closers.splice(0).reverse();
      for (const fn of all) {
        try {
          await fn();
        } catch {
          // closing is best effort; the run's outcome is already decided
        }
      }
    },
  };
  return services;
}
