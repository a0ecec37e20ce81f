// A command line from words: quoting where a shell would need it. Its own module so the
// completion path can queue a refresh without loading the CLI parser.

import path from 'node:path';

/** Whether a word needs quoting to stay one word in a shell (or a systemd unit line). */
export function needsQuoting(word: string): boolean {
  return word === '' || /[^\w@%+=:,./-]/.test(word);
}

/** Words joined back into one line, quoted where a shell would need it. */
export function formatLine(argv: readonly string[]): string {
  return argv.map((a) => (needsQuoting(a) ? `'${a.replace(/'/g, `'\\''`)}'` : a)).join(' ');
}

/** The scope flags a command line may carry on to the lines it runs or schedules. */
export interface WarmScope {
  profile?: string;
  region?: string;
  endpointUrl?: string;
}

/** The scope flags given on a command line, as `cache warm` passes them on to its lines. */
export function warmScopeOf(flags: Record<string, unknown> | undefined): WarmScope {
  const scope: WarmScope = {};
  for (const key of ['profile', 'region', 'endpointUrl'] as const) if (typeof flags?.[key] === 'string') scope[key] = flags[key] as string;
  return scope;
}

/** `--config <absolute path>` when one was given, for a line run later from another directory. */
export function configArgs(configFile: string | undefined, cwd: string): string[] {
  return configFile ? ['--config', path.resolve(cwd, configFile)] : [];
}

/** The scope flags of a command line, as words (each only when set). */
export function scopeArgs(scope: WarmScope): string[] {
  const args: string[] = [];
  if (scope.region) args.push('--region', scope.region);
  if (scope.profile) args.push('--profile', scope.profile);
  if (scope.endpointUrl) args.push('--endpoint-url', scope.endpointUrl);
  return args;
}
