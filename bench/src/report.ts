import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ScenarioResult, TargetCheck } from './lib/context.js';
import { type Machine, machineLine } from './lib/machine.js';

export interface BenchReport {
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly mode: 'full' | 'quick';
  readonly only: string[] | null;
  readonly seed: string;
  readonly machine: Machine;
  /** The code measured: git commit (+ "dirty" with local changes) and the hub CLI the child processes ran. */
  readonly code: { readonly commit: string; readonly hubCli: string };
  readonly scenarios: ScenarioResult[];
}

/** The repository: two levels above bench/src and bench/dist. */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** Every run's results (not kept in git). */
const RUNS_DIR = join(ROOT, 'bench', 'results', 'runs');
/** The latest full run of every scenario: the one docs/performance.md shows. */
const LATEST_FULL = 'bench/results/latest-full.json';
const PERFORMANCE_PAGE = join(ROOT, 'docs', 'performance.md');
const START = '<!-- bench:start -->';
const END = '<!-- bench:end -->';

const num = (v: number): string =>
  Number.isInteger(v) || Math.abs(v) >= 100
    ? Math.round(v).toLocaleString('en')
    : v.toLocaleString('en', { maximumFractionDigits: Math.abs(v) >= 10 ? 1 : 2 });

const withUnit = (v: number | string, unit?: string) =>
  `${typeof v === 'number' ? num(v) : v}${unit ? ` ${unit}` : ''}`;

const targetText = (t: TargetCheck) =>
  `${t.op === '>=' ? '≥' : t.op === '<=' ? '≤' : t.op} ${withUnit(t.threshold, t.unit)}`;

/** Rows of the summary: every figure, with its target when one has the same label. */
const rows = (report: BenchReport): string[][] => {
  const out: string[][] = [];
  for (const s of report.scenarios) {
    if (s.error) {
      out.push([s.title, 'FAILED', s.error.split('\n')[0]?.slice(0, 160) ?? '', '', 'MISSED']);
      continue;
    }
    const used = new Set<TargetCheck>();
    s.figures.forEach((f, i) => {
      const t = s.targets.find((x) => x.label === f.label);
      if (t) used.add(t);
      out.push([
        i === 0 ? s.title : '',
        f.label,
        withUnit(f.value, f.unit),
        t ? targetText(t) : '',
        t ? (t.met ? 'met' : 'MISSED') : '',
      ]);
    });
    for (const t of s.targets)
      if (!used.has(t)) out.push(['', t.label, withUnit(t.value, t.unit), targetText(t), t.met ? 'met' : 'MISSED']);
  }
  return out;
};

export const markdownTable = (report: BenchReport): string => {
  const header = ['Scenario', 'Measure', 'Value', 'Target', 'Met'];
  const lines = [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`];
  for (const r of rows(report)) lines.push(`| ${r.map((c) => c.replaceAll('|', '\\|')).join(' | ')} |`);
  return lines.join('\n');
};

/** The table as plain text for the terminal. */
export const textTable = (report: BenchReport): string => {
  const header = ['Scenario', 'Measure', 'Value', 'Target', 'Met'];
  const all = [header, ...rows(report)];
  const widths = header.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) =>
    r.map((c, i) => (i === 2 ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...all.slice(1).map(line)].join('\n');
};

export const missedTargets = (report: BenchReport): string[] =>
  report.scenarios.flatMap((s) =>
    s.error
      ? [`${s.title}: failed (${s.error.split('\n')[0]})`]
      : s.targets
          .filter((t) => !t.met)
          .map((t) => `${s.title}: ${t.label} ${withUnit(t.value, t.unit)} (target ${targetText(t)})`),
  );

export const notesText = (report: BenchReport, markdown = false): string =>
  report.scenarios
    .filter((s) => s.notes.length > 0)
    .map((s) =>
      markdown
        ? `**${s.title}**\n\n${s.notes.map((n) => `- ${n}`).join('\n')}\n`
        : `${s.title}\n${s.notes.map((n) => `  - ${n}`).join('\n')}`,
    )
    .join('\n');

const summaryMarkdown = (report: BenchReport, file: string): string => {
  const missed = missedTargets(report);
  return [
    `Benchmark run of ${report.startedAt} (${report.mode}${report.only ? `, only ${report.only.join(',')}` : ''}) of ${report.code.commit} on ${machineLine(report.machine)}.`,
    '',
    markdownTable(report),
    '',
    missed.length === 0 ? 'Every target was met.' : `Targets missed:\n${missed.map((m) => `- ${m}`).join('\n')}`,
    '',
    `Raw figures: \`${file}\`. Reproduce with \`pnpm bench\` (\`-- --quick\`, \`-- --only ingest,rebuild\`).`,
    '',
    '<details><summary>How each figure was measured</summary>',
    '',
    notesText(report, true),
    '</details>',
  ].join('\n');
};

/** Writes bench/results/runs/<timestamp>.json and .md; returns the JSON path. */
export const writeResults = (report: BenchReport): string => {
  mkdirSync(RUNS_DIR, { recursive: true });
  const stamp = report.startedAt.replaceAll(':', '-').replace(/\.\d+Z$/, 'Z');
  const file = join(RUNS_DIR, `${stamp}.json`);
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(join(RUNS_DIR, `${stamp}.md`), `${summaryMarkdown(report, `bench/results/runs/${stamp}.json`)}\n`);
  return file;
};

/**
 * A full run of every scenario becomes the published one: bench/results/latest-full.json, and the
 * section of docs/performance.md between the bench markers. Returns why not when the page has no markers.
 */
export const publishFullRun = (report: BenchReport): { updated: boolean; reason?: string } => {
  if (!existsSync(PERFORMANCE_PAGE)) return { updated: false, reason: 'docs/performance.md does not exist' };
  const text = readFileSync(PERFORMANCE_PAGE, 'utf8');
  const start = text.indexOf(START);
  const end = text.indexOf(END);
  if (start < 0 || end < start)
    return { updated: false, reason: `docs/performance.md has no ${START} … ${END} markers` };
  writeFileSync(join(ROOT, LATEST_FULL), `${JSON.stringify(report, null, 2)}\n`);
  const next = `${text.slice(0, start + START.length)}\n${summaryMarkdown(report, LATEST_FULL)}\n${text.slice(end)}`;
  writeFileSync(PERFORMANCE_PAGE, next);
  return { updated: true };
};
