// The region of an AWS profile in the shared config file (~/.aws/config, or $AWS_CONFIG_FILE), as
// the AWS CLI and SDKs read it: section `[default]` (or `[profile default]`) or `[profile <name>]`,
// key `region`; `#`/`;` comment lines, a comment after a value (` # …`, ` ; …`), and indented
// lines (values of a nested sub-section such as `s3 =`) are skipped, as the SDK's parser does.
// Read here, in a few lines, because the SDK's own loader (@smithy/core/config) would bring
// node:crypto and the SDK core onto the start-up path of a cached read, which never loads the
// SDK — yet the region is part of every cache key.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export function profileRegion(profile: string, env: NodeJS.ProcessEnv, home: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(env.AWS_CONFIG_FILE || join(home, '.aws', 'config'), 'utf8');
  } catch {
    return undefined; // no shared config file
  }
  const sections = profile === 'default' ? ['default', 'profile default'] : [`profile ${profile}`];
  let inProfile = false;
  for (const line of text.split(/\r?\n/)) {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#') || trimmed.startsWith(';')) continue;
    const section = /^\[\s*(.+?)\s*\]$/.exec(trimmed);
    if (section) {
      inProfile = sections.includes(section[1]);
      continue;
    }
    if (!inProfile || line !== line.trimStart()) continue;
    const eq = trimmed.indexOf('=');
    if (eq > 0 && trimmed.slice(0, eq).trim() === 'region') return trimmed.slice(eq + 1).replace(/\s[#;].*$/, '').trim() || undefined;
  }
  return undefined;
}
