// Changing a task file without disturbing it: each touched key's text is replaced in place
// (located through the `yaml` Document's source ranges), new keys are appended to the front
// matter, and every other byte — other keys, their quoting and folding, comments, the body —
// stays exactly as it was. New files are rendered in the seed's key order and style.

import { runtimeError } from '../errors.js';
import { DATE_FIELDS, FIELD_ORDER } from './fields.js';
import { splitFrontMatter, type YamlModule } from './front-matter.js';

/** One `key: value` entry as YAML text (PyYAML's style: sequences not indented, dates quoted). */
export function renderEntry(YAML: YamlModule, key: string, value: unknown): string {
  if (typeof value === 'string' && DATE_FIELDS.has(key)) return `${key}: '${value.replace(/'/g, "''")}'\n`;
  return YAML.stringify({ [key]: value }, { indentSeq: false, lineWidth: 80, singleQuote: true });
}

/** The text of a file with `changes` applied to its front matter. */
export function applyChanges(YAML: YamlModule, text: string, changes: Record<string, unknown>, where: string): string {
  const split = splitFrontMatter(text);
  if (typeof split === 'string') throw runtimeError('TASK_INVALID', `${where} has no valid front matter to change`, 'Fix the file by hand (see `tasks ls` for the reported problem).');
  const doc = YAML.parseDocument(split.yaml, { uniqueKeys: true });
  if (doc.errors.length > 0 || !YAML.isMap(doc.contents)) {
    throw runtimeError('TASK_INVALID', `${where} has front matter that is not a valid mapping`, 'Fix the file by hand (see `tasks ls` for the reported problem).');
  }
  const map = doc.contents;
  // the file's own line ending (from its opening fence) for every line written into it
  const eol = text.slice(0, split.yamlStart).endsWith('\r\n') ? '\r\n' : '\n';
  const edits: { start: number; end: number; text: string }[] = [];
  let appended = '';
  for (const [key, value] of Object.entries(changes)) {
    const pair = map.items.find((p) => YAML.isScalar(p.key) && p.key.value === key);
    const lf = renderEntry(YAML, key, value);
    const rendered = eol === '\n' ? lf : lf.replace(/\n/g, eol);
    const keyRange = pair && YAML.isScalar(pair.key) ? pair.key.range : undefined;
    if (!pair || !keyRange || map.flow) {
      if (map.flow) throw runtimeError('TASK_INVALID', `${where} uses a flow mapping ({...}) for its front matter`, 'Rewrite the front matter as one key per line.');
      appended += rendered;
      continue;
    }
    const valueRange = (pair.value as { range?: [number, number, number] } | null)?.range;
    const end = valueRange ? valueRange[1] : keyRange[2];
    const span = split.yaml.slice(keyRange[0], end);
    edits.push({ start: keyRange[0], end, text: span.endsWith('\n') ? rendered : rendered.replace(/\r?\n$/, '') });
  }
  let yaml = split.yaml;
  for (const e of edits.sort((a, b) => b.start - a.start)) yaml = yaml.slice(0, e.start) + e.text + yaml.slice(e.end);
  if (appended) yaml = (yaml === '' || yaml.endsWith('\n') ? yaml : `${yaml}${eol}`) + appended;
  return text.slice(0, split.yamlStart) + yaml + text.slice(split.yamlStart + split.yaml.length);
}

/** A new task file: known keys in the seed's order, then any others, then the body. */
export function renderNewTask(YAML: YamlModule, fields: Record<string, unknown>, body: string): string {
  const keys = [...FIELD_ORDER.filter((k) => k in fields), ...Object.keys(fields).filter((k) => !FIELD_ORDER.includes(k))];
  const yaml = keys.map((k) => renderEntry(YAML, k, fields[k])).join('');
  return `---\n${yaml}---\n${body === '' || body.startsWith('\n') ? body : `\n${body}`}${body.endsWith('\n') || body === '' ? '' : '\n'}`;
}
