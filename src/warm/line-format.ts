// A command line from words: quoting where a shell would need it. Its own module so the
// completion path can queue a refresh without loading the CLI parser.

/** Words joined back into one line, quoted where a shell would need it. */
export function formatLine(argv: readonly string[]): string {
  return argv.map((a) => (a === '' ? "''" : /[^\w@%+=:,./-]/.test(a) ? `'${a.replace(/'/g, `'\\''`)}'` : a)).join(' ');
}
