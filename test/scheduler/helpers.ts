// Test helpers: jobs that finish when the test says so, and a way to let queued work start.

export interface Held {
  started: Promise<void>;
  release(): void;
}

/** A job body that records it started and waits for `release()`. */
export function heldJob(): { held: Held; job: () => Promise<void> } {
  let release!: () => void;
  let markStarted!: () => void;
  const done = new Promise<void>((r) => (release = r));
  const started = new Promise<void>((r) => (markStarted = r));
  return {
    held: { started, release },
    job: async () => {
      markStarted();
      await done;
    },
  };
}

/** Lets every pending promise callback and p-queue's microtasks run (real timers only). */
export function settle(): Promise<void> {
  return new Promise((r) => setImmediate(r));
}

/** An error shaped like the AWS SDK v3's service exceptions. */
export function awsError(name: string, status: number): Error {
  return Object.assign(new Error(`${name} from the service`), { name, $metadata: { httpStatusCode: status } });
}
