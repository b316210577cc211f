// Helpers shared by the serving benchmarks: percentiles and a Markdown table.
import { cpus, loadavg } from 'node:os';

export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export function machine(): string {
  return `${cpus().length} x ${cpus()[0]?.model ?? 'unknown CPU'}; node ${process.version}; load average ${loadavg()
    .map((x) => x.toFixed(1))
    .join(' ')}`;
}

/** A Markdown table: numbers right-aligned. */
export function table(header: string[], rows: (string | number)[][]): string {
  const cells = [header, ...rows.map((row) => row.map(String))];
  const widths = header.map((_, c) => Math.max(...cells.map((row) => row[c]!.length)));
  const numeric = header.map((_, c) => rows.every((row) => typeof row[c] === 'number' || /^[\d.,x\-]+$/.test(String(row[c]))));
  const line = (row: string[]) => `| ${row.map((cell, c) => (numeric[c] ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!))).join(' | ')} |`;
  const rule = `|${widths.map((w, c) => (numeric[c] ? `${'-'.repeat(w + 1)}:` : '-'.repeat(w + 2))).join('|')}|`;
  return [line(cells[0]!), rule, ...cells.slice(1).map(line)].join('\n');
}

export const ms = (value: number) => value.toFixed(value < 10 ? 2 : 1);
export const ratio = (value: number, baseline: number) => `${(value / baseline).toFixed(2)}x`;
