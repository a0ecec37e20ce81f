import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { parseFastYaml } from '../../src/tasks/fast-yaml.js';
import { splitFrontMatter } from '../../src/tasks/front-matter.js';
import { generatedTaskText } from '../../src/tasks/generate.js';
import { EXAMPLES, SEED } from './helpers.js';

function frontMatter(text: string): string {
  const split = splitFrontMatter(text);
  if (typeof split === 'string') throw new Error(split);
  return split.yaml;
}

describe('the fast front matter reader', () => {
  it('reads the seed exactly as the yaml package does', () => {
    const fm = frontMatter(SEED);
    expect(parseFastYaml(fm)).toEqual(YAML.parse(fm));
    expect(parseFastYaml(fm)?.estimated_hours).toBe(5);
    expect(parseFastYaml(fm)?.description).toBe(
      'Implement performance optimizations, caching strategies, and scalability enhancements to handle large task sets efficiently and demonstrate system design skills.\n',
    );
  });

  it('reads every example task and every generated task like the yaml package', () => {
    const texts = fs.readdirSync(EXAMPLES).map((f) => fs.readFileSync(path.join(EXAMPLES, f), 'utf8'));
    for (let i = 0; i < 200; i++) texts.push(generatedTaskText(i, 7));
    for (const text of texts) {
      const fm = frontMatter(text);
      const fast = parseFastYaml(fm);
      expect(fast, fm).toBeDefined();
      expect(fast).toEqual(YAML.parse(fm));
    }
  });

  it('either agrees with the yaml package or declines, on awkward strings written by yaml', () => {
    const awkward = [
      "it's", 'a: b', 'x #y', '#start', '- dash', 'null', 'True', '0x1F', '1e3', '.5', '+7', '-3', '007', 'yes', '~',
      'tab\there', ' lead', 'trail ', 'multi\nline', 'para\n\nbreak\n', "quote '' twice", '"dq"', 'back\\slash', 'ünïcödé',
      'x'.repeat(150) + ' ' + 'y'.repeat(30), 'a '.repeat(60), '2025-07-23', '12:30', '[not a list]', '{not: map}', '*alias', '&anchor',
      '!tag', '|', '>', '%', '@', '`', '', ' ', '?', ':', 'key:', 'ends with colon:', 'many    spaces   inside',
    ];
    let agreed = 0;
    for (const [k, s] of awkward.entries()) {
      for (const opts of [{}, { singleQuote: true }, { lineWidth: 20 }, { defaultStringType: 'QUOTE_DOUBLE' as const }]) {
        const fm = YAML.stringify({ id: `t${k}`, text: s, list: [s, 'x'], n: k }, { indentSeq: false, ...opts });
        const fast = parseFastYaml(fm);
        if (fast === undefined) continue;
        agreed++;
        expect(fast, fm).toEqual(YAML.parse(fm));
      }
    }
    expect(agreed).toBeGreaterThan(awkward.length);
  });

  it('declines what it does not understand instead of guessing', () => {
    for (const fm of ['a: 1 # comment\n', 'a:\n  b: 1\n', 'a: |\n  text\n', 'a: &x 1\nb: *x\n', 'a: 1\na: 2\n', 'a: !!str 1\n', '- a\n- b\n']) {
      expect(parseFastYaml(fm), fm).toBeUndefined();
    }
  });
});
