// Exporters of a results document: JSON (the document itself, what compare reads), Markdown
// (one table per suite, for docs and PR comments) and CSV (one row per figure, summaries only).

import { runtimeError } from '../errors.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import type { FigureResult, ResultsDocument } from './results.js';

type ExportFormat = 'json' | 'markdown' | 'csv';

// Four significant digits, but never round away integer digits (10624 KiB stays 10624).
const fmt = (x: number) => (!Number.isFinite(x) ? '' : Math.abs(x) >= 1000 ? String(Math.round(x)) : String(Number(x.toPrecision(4))));

function toJson(doc: ResultsDocument): string {
  return JSON.stringify(doc, null, 2) + '\n';
}

const mdCell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function toMarkdown(doc: ResultsDocument): string {
  const m = doc.machine;
  const lines = [
    `Measured ${doc.date} on ${m.cpuModel} (${m.cpus} cores, ${(m.memoryBytes / 2 ** 30).toFixed(1)} GiB), ` +
      `${m.platform} ${m.release}, Node ${doc.node}${doc.commit ? `, commit ${doc.commit.slice(0, 10)}` : ''}.`,
  ];
  for (const suite of doc.suites) {
    const figs = doc.figures.filter((f) => f.suite === suite);
    lines.push('', `### ${suite}`, '', '| figure | median | p95 | min | max | unit | n | better | target |', '|---|---:|---:|---:|---:|---|---:|---|---|');
    for (const f of figs) {
      const s = f.summary;
      lines.push(
        `| ${mdCell(f.name)} | ${fmt(s.median)} | ${fmt(s.p95)} | ${fmt(s.min)} | ${fmt(s.max)} | ${f.unit} | ${s.n} | ${f.better} | ${mdCell(f.target ?? '')} |`,
      );
    }
  }
  return lines.join('\n') + '\n';
}

const csvCell = (v: string | number) => {
  const s = String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

export function toCsv(doc: ResultsDocument): string {
  const head = ['suite', 'name', 'unit', 'better', 'n', 'median', 'mean', 'stddev', 'min', 'max', 'p95', 'outliers'];
  const row = (f: FigureResult) => {
    const s = f.summary;
    return [f.suite, f.name, f.unit, f.better, s.n, s.median, s.mean, s.stddev, s.min, s.max, s.p95, s.outliers.length];
  };
  return [head, ...doc.figures.map(row)].map((r) => r.map(csvCell).join(',')).join('\n') + '\n';
}

const render: Record<ExportFormat, (d: ResultsDocument) => string> = { json: toJson, markdown: toMarkdown, csv: toCsv };

export async function exportDocument(doc: ResultsDocument, format: ExportFormat, path: string): Promise<void> {
  try {
    await writeFileAtomic(path, render[format](doc));
  } catch (e) {
    throw runtimeError('BENCH_EXPORT_FAILED', `Cannot write ${format} results to ${path}: ${(e as Error).message}.`, 'Check that the directory exists and is writable.', e);
  }
}
