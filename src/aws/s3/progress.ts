// Transfer progress on stderr (cli-progress): bytes, rate and ETA. One bar per command; with
// --recursive its total grows as the work is discovered. Off (a no-op) unless --progress.

import type { Writable } from 'node:stream';
import { formatBytes } from '../../util/units.js';

export interface Progress {
  /** More bytes to transfer (a file found, a size learnt). */
  grow(bytes: number): void;
  /** Bytes transferred. */
  advance(bytes: number): void;
  stop(): void;
}

export const noProgress: Progress = { grow: () => undefined, advance: () => undefined, stop: () => undefined };

export async function createProgress(enabled: boolean, stream: Writable, label: string): Promise<Progress> {
  if (!enabled) return noProgress;
  const { default: cliProgress } = await import('cli-progress');
  const started = performance.now();
  let done = 0;
  let total = 0;
  const bar = new cliProgress.SingleBar(
    {
      stream: stream as NodeJS.WritableStream,
      format: `${label} {bar} {percentage}% | {doneH}/{totalH} | {rateH}/s | ETA {eta_formatted}`,
      hideCursor: true,
      etaBuffer: 50,
      fps: 5,
    },
    cliProgress.Presets.shades_classic,
  );
  const payload = () => {
    const secs = Math.max(0.001, (performance.now() - started) / 1000);
    return { doneH: formatBytes(done), totalH: formatBytes(total), rateH: formatBytes(done / secs) };
  };
  bar.start(0, 0, payload());
  return {
    grow(bytes) {
      total += bytes;
      bar.setTotal(total);
    },
    advance(bytes) {
      done += bytes;
      bar.update(done, payload());
    },
    stop() {
      bar.update(done, payload());
      bar.stop();
    },
  };
}
