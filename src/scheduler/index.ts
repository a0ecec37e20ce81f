// The scheduler's public surface: every remote request runs through `createScheduler(...).schedule`.

export { createScheduler, type ManagedScheduler } from './scheduler.js';
export type { SchedulerOptions } from './options.js';
export type { LaneScheduleOptions, LaneStats } from './lane.js';
export { isThrottle, isTransient } from './classify.js';
export type { Priority, ScheduleOptions, Scheduler } from './types.js';
