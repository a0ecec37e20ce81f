// Splits a command string into argv the way a POSIX shell would for plain words: single and
// double quotes, backslash escapes, whitespace separation. No expansion of any kind — a command
// that needs pipes, globs or variables is run with --shell.

import { usageError } from '../errors.js';

export function splitShellWords(line: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote === "'") {
      if (c === "'") quote = null;
      else word += c;
    } else if (quote === '"') {
      if (c === '"') quote = null;
      else if (c === '\\' && i + 1 < line.length && '"\\$`'.includes(line[i + 1])) word += line[++i];
      else word += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
    } else if (c === '\\' && i + 1 < line.length) {
      word += line[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (quote) {
    throw usageError('BENCH_BAD_QUOTES', `Unterminated ${quote} quote in \`${line}\`.`, 'Close the quote, or pass --shell.');
  }
  if (inWord) words.push(word);
  return words;
}
