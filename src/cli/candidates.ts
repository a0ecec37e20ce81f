// Completion candidates, from the cache only: never the AWS SDK, never the network. Resource ids
// are read from cached listings (L1/L2 via the engine's peek); when nothing is cached yet the
// answer is empty and the shell falls back to its default.

import type { CommandContext } from './types.js';

export interface Candidate {
  value: string;
  description?: string;
}

const REGIONS = [
  'all', 'us-east-1', 'us-east-2', 'us-west-1', 'us-west-2', 'ca-central-1', 'eu-west-1', 'eu-west-2', 'eu-west-3',
  'eu-central-1', 'eu-central-2', 'eu-north-1', 'eu-south-1', 'ap-south-1', 'ap-northeast-1', 'ap-northeast-2',
  'ap-northeast-3', 'ap-southeast-1', 'ap-southeast-2', 'sa-east-1', 'me-south-1', 'af-south-1',
];

export async function* candidates(kind: string, prefix: string, ctx: CommandContext): AsyncIterable<Candidate> {
  const keep = (c: Candidate) => c.value.startsWith(prefix);
  if (kind === 'region') {
    yield* REGIONS.map((value) => ({ value })).filter(keep);
    return;
  }
  if (kind === 'cache-key') {
    const engine = await ctx.services.engine();
    for await (const e of engine.entries(`${prefix}*`)) yield { value: e.key, description: e.tier };
    return;
  }
}
