// The one registry: every command definition strata has. Definition modules are light to
// import; what they need to run is loaded inside `run`.

import type { CommandDef } from '../cli/types.js';
import { pipelineCommands } from './pipeline.js';
import { completionCommands } from './completion.js';
import { docsCommands } from './docs.js';

export const COMMANDS: CommandDef[] = [...pipelineCommands, ...completionCommands, ...docsCommands];
