// A command line from words: quoting where a shell would need it. Its own module so the
// completion path can queue a refresh without loading the CLI parser.

/** Words joined back into one line, quoted where a shell would need it. */
export function formatLine(argv: readonly string[]): string {
  return argv.map((a) => (a === '' ? "''" : /[^\w@%+=:,./-]/.test(a) ? `'${a.replace(/'/g, `'\\''`)}'` : a)).join(' ');
}

/** The scope flags of a command line, as words (each only when set). */
export function scopeArgs(scope: { profile?: string; region?: string; endpointUrl?: string }): string[] {
  const args: string[] = [];
  if (scope.region) args.push('--region', scope.region);
  if (scope.profile) args.push('--profile', scope.profile);
  if (scope.endpointUrl) args.push('--endpoint-url', scope.endpointUrl);
  return args;
}
