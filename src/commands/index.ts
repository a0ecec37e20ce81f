// The one registry: every command definition strata has. Definition modules are light to
// import; what they need to run is loaded inside `run`.

import type { CommandDef } from '../cli/types.js';
import { ec2Commands } from './ec2.js';
import { s3Commands } from './s3.js';
import { tasksCommands } from './tasks.js';
import { cacheCommands } from './cache.js';
import { mountCommands } from './mount.js';
import { benchCommands } from './bench.js';
import { perfCommands } from './perf.js';
import { pipelineCommands } from './pipeline.js';
import { completionCommands } from './completion.js';
import { docsCommands } from './docs.js';

export const COMMANDS: CommandDef[] = [
  ...ec2Commands,
  ...s3Commands,
  ...tasksCommands,
  ...cacheCommands,
  ...mountCommands,
  ...benchCommands,
  ...perfCommands,
  ...pipelineCommands,
  ...completionCommands,
  ...docsCommands,
];
