// A benchmark suite registers figures; the runner collects them into one results document.
// Suites live in src/bench/suites/<name>.ts and are listed in src/bench/suites/index.ts.

export type Better = 'lower' | 'higher';

export interface Figure {
  /** Stable name, e.g. 'l1.get.hit' — compare matches figures by it. */
  name: string;
  unit: string;
  better: Better;
  /** All samples (a summary is computed from these). */
  samples: number[];
  /** Free text: what was measured, against what. */
  note?: string;
  /** A target this figure is held to, e.g. '<= 0.1' (shown in reports; compare does not use it). */
  target?: string;
}

export interface SuiteContext {
  /** Scratch directory, removed after the suite. */
  tmpDir: string;
  /** Scale down for quick runs (`--quick`): suites use fewer samples/smaller data. */
  quick: boolean;
  log(message: string): void;
  signal: AbortSignal;
}

export interface Suite {
  name: string;
  summary: string;
  run(ctx: SuiteContext): Promise<Figure[]>;
}
