// The checked-in generated files match what the registry generates now (run `npm run docs`).

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/commands/index.js';
import { commandsMarkdown } from '../../src/cli/docs.js';
import { SHELLS } from '../../src/cli/completions.js';

const root = resolve(import.meta.dirname, '../..');
const read = (p: string) => readFileSync(resolve(root, p), 'utf8');

describe('generated files', () => {
  it('docs/commands.md matches the command definitions (run npm run docs)', () => {
    expect(read('docs/commands.md')).toBe(commandsMarkdown(COMMANDS));
  });

  it.each(Object.keys(SHELLS))('completions/strata.%s matches the registry (run npm run docs)', (shell) => {
    expect(read(`completions/strata.${shell}`)).toBe(SHELLS[shell as keyof typeof SHELLS](COMMANDS));
  });
});
