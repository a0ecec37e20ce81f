// A fast path for the YAML that task front matter is made of, measured to be needed: the `yaml`
// package takes ~190 µs per seed front matter on this machine, so 1k files alone would blow the
// 100 ms cold-load budget; this reader takes a few µs.
//
// It understands one flat block mapping whose keys are plain words and whose values are plain
// or quoted scalars (single-quoted ones may span folded lines), `[]`/`{}`, or a block sequence of
// one-line scalars — exactly what PyYAML and `tasks add` write. It resolves plain scalars with
// the YAML 1.2 core schema, as `yaml` does. Anything else (comments, anchors, tags, block
// scalars, nested maps, duplicate keys, odd indentation) returns `undefined` and the caller uses
// the `yaml` package, which stays the reference: a test compares both on every sample.

export type Scalar = string | number | boolean | null;
export type FastValue = Scalar | Scalar[] | Record<string, never>;

const KEY_LINE = /^([A-Za-z_][A-Za-z0-9_-]*):(?: +(.*))?$/;
const SEQ_ITEM = /^( *)- +(.*)$/;
const INT = /^[-+]?[0-9]+$/;
const FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/;
const INDICATOR = /^[-?:,[\]{}#&*!|>'"%@`]/;

/** Parses `text` (the front matter without its `---` fences) or returns undefined when unsure. */
export function parseFastYaml(text: string): Record<string, FastValue> | undefined {
  const lines = text.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  const out: Record<string, FastValue> = {};
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    if (line.trim() === '') {
      i++;
      continue;
    }
    const m = KEY_LINE.exec(line);
    if (!m) return undefined;
    const key = m[1];
    if (Object.prototype.hasOwnProperty.call(out, key) || key === '__proto__') return undefined;
    const raw = m[2] ?? '';
    i++;
    if (raw.trim() === '') {
      const seq: Scalar[] = [];
      let indent = -1;
      while (i < lines.length) {
        const s = SEQ_ITEM.exec(lines[i]);
        if (!s) break;
        if (indent === -1) indent = s[1].length;
        else if (s[1].length !== indent) return undefined;
        const v = oneLineScalar(s[2]);
        if (v === undefined) return undefined;
        seq.push(v);
        i++;
      }
      if (seq.length === 0 && i < lines.length && lines[i].startsWith(' ') && lines[i].trim() !== '') return undefined;
      out[key] = indent === -1 ? null : seq;
      continue;
    }
    if (raw.startsWith("'")) {
      const r = singleQuoted(raw, lines, i);
      if (!r) return undefined;
      out[key] = r.value;
      i = r.next;
      continue;
    }
    if (raw === '[]') out[key] = [];
    else if (raw === '{}') out[key] = {};
    else {
      const v = oneLineScalar(raw);
      if (v === undefined) return undefined;
      out[key] = v;
    }
    if (i < lines.length && lines[i].startsWith(' ') && lines[i].trim() !== '') return undefined;
  }
  return out;
}

function oneLineScalar(raw: string): Scalar | undefined {
  const last = raw.charCodeAt(raw.length - 1);
  const s = last === 32 || last === 9 ? raw.replace(/[ \t]+$/, '') : raw;
  const first = s.charCodeAt(0);
  if (first === 39 /* ' */) {
    if (s.length < 2 || !s.endsWith("'")) return undefined;
    const inner = s.slice(1, -1);
    if (!inner.includes("'")) return inner;
    if (/'(?!')/.test(inner.replace(/''/g, ''))) return undefined;
    return inner.replace(/''/g, "'");
  }
  if (first === 34 /* " */) return doubleQuoted(s);
  return plain(s);
}

const KEYWORDS = new Map<string, Scalar>([
  ['', null], ['~', null], ['null', null], ['Null', null], ['NULL', null],
  ['true', true], ['True', true], ['TRUE', true], ['false', false], ['False', false], ['FALSE', false],
]);

/** A plain scalar resolved by the YAML 1.2 core schema; undefined for anything unusual. */
function plain(s: string): Scalar | undefined {
  const keyword = KEYWORDS.get(s);
  if (keyword !== undefined) return keyword;
  const c = s.charCodeAt(0);
  const numberLike = (c >= 48 && c <= 57) || c === 43 || c === 45 || c === 46;
  if (numberLike) {
    if (INT.test(s)) return Number.isSafeInteger(Number(s)) ? Number(s) : undefined;
    if (FLOAT.test(s)) return Number(s);
    if (/^[-+]?\.(?:inf|Inf|INF)$|^\.(?:nan|NaN|NAN)$|^0[ox]/.test(s)) return undefined;
  }
  if (INDICATOR.test(s) || s.includes(': ') || s.includes(' #') || s.includes('\t') || s.endsWith(':')) return undefined;
  return s;
}

const ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', n: '\n', t: '\t', r: '\r', '0': '\0' };

function doubleQuoted(s: string): string | undefined {
  if (s.length < 2 || !s.endsWith('"')) return undefined;
  const inner = s.slice(1, -1);
  let out = '';
  for (let i = 0; i < inner.length; i++) {
    const c = inner[i];
    if (c === '"') return undefined;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const e = inner[++i];
    if (e === undefined) return undefined;
    if (e in ESCAPES) out += ESCAPES[e];
    else if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(inner.slice(i + 1, i + 5))) {
      out += String.fromCharCode(parseInt(inner.slice(i + 1, i + 5), 16));
      i += 4;
    } else return undefined;
  }
  return out;
}

/** A single-quoted scalar starting on the key's line, folded per YAML flow-scalar rules. */
function singleQuoted(first: string, lines: string[], next: number): { value: string; next: number } | undefined {
  const parts: string[] = [first.slice(1)];
  let i = next;
  while (!closesQuote(parts[parts.length - 1])) {
    if (i >= lines.length) return undefined;
    const line = lines[i++];
    if (line.trim() !== '' && !line.startsWith(' ')) return undefined;
    parts.push(line);
  }
  const last = parts[parts.length - 1];
  const end = lastQuote(last);
  if (last.slice(end + 1).trim() !== '') return undefined;
  parts[parts.length - 1] = last.slice(0, end);
  if (parts.some((p) => p.includes('\t'))) return undefined;
  let value = '';
  let breaks = 0;
  for (let k = 0; k < parts.length; k++) {
    let p = parts[k];
    if (k > 0) p = p.replace(/^ +/, '');
    if (k < parts.length - 1) p = p.replace(/ +$/, '');
    if (k > 0 && p === '' && k < parts.length - 1) {
      breaks++;
      continue;
    }
    if (k > 0) value += breaks === 0 ? ' ' : '\n'.repeat(breaks);
    breaks = 0;
    value += p;
  }
  return { value: value.replace(/''/g, "'"), next: i };
}

/** Whether the text (after an opening quote) contains the closing quote. */
function closesQuote(s: string): boolean {
  return lastQuote(s) !== -1;
}

function lastQuote(s: string): number {
  for (let i = 0; i < s.length; i++) {
    if (s[i] !== "'") continue;
    if (s[i + 1] === "'") {
      i++;
      continue;
    }
    return i;
  }
  return -1;
}
