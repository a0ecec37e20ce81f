// Regenerates the checked-in generated files: docs/commands.md and completions/strata.{bash,zsh,fish}.
import { execFileSync } from 'node:child_process';
import { writeFileSync, mkdirSync, rmSync } from 'node:fs';

const strata = (...args) => execFileSync(process.execPath, ['bin/strata.js', ...args], { encoding: 'utf8' });
mkdirSync('completions', { recursive: true });
writeFileSync('docs/commands.md', strata('__docs'));
for (const shell of ['bash', 'zsh', 'fish']) {
  // `completion <shell>` prints the shipped file when there is one: remove it so it is generated
  rmSync(`completions/strata.${shell}`, { force: true });
  writeFileSync(`completions/strata.${shell}`, strata('completion', shell));
}
console.log('wrote docs/commands.md and completions/strata.{bash,zsh,fish}');
