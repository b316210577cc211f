// Output shared by the benchmarks: the machine line and Markdown tables, ready for RESULTS.md.
import { cpus, loadavg } from 'node:os';

/** "N x CPU; node vX; load average a b c", with the load averages given or the current ones. */
export function machine(load: readonly number[] = loadavg()): string {
  return `${cpus().length} x ${cpus()[0]?.model ?? 'unknown CPU'}; node ${process.version}; load average ${load.map((x) => x.toFixed(1)).join(' ')}`;
}

/**
 * A Markdown table. With `first-left` the first column is left-aligned and the
 * rest right-aligned; with `numbers` the columns whose every cell is a number
 * or reads as one (1,000, 0.5, 2.00x) are right-aligned and the rest left-aligned.
 */
export function table(header: readonly string[], rows: readonly (readonly (string | number)[])[], align: 'first-left' | 'numbers' = 'first-left'): string {
  const cells = [header, ...rows.map((row) => row.map(String))];
  const widths = header.map((_, c) => Math.max(...cells.map((row) => row[c]!.length)));
  const right = header.map((_, c) =>
    align === 'first-left' ? c > 0 : rows.every((row) => typeof row[c] === 'number' || /^[\d.,x-]+$/.test(String(row[c]))),
  );
  const line = (row: readonly string[]) => `| ${row.map((cell, c) => (right[c] ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!))).join(' | ')} |`;
  const rule = `|${widths.map((w, c) => (right[c] ? `${'-'.repeat(w + 1)}:` : '-'.repeat(w + 2))).join('|')}|`;
  return [line(cells[0]!), rule, ...cells.slice(1).map(line)].join('\n');
}

/** Prints `table(header, rows)`: the first column left-aligned, the rest right-aligned. */
export function printTable(header: readonly string[], rows: readonly (readonly (string | number)[])[]): void {
  console.log(table(header, rows));
}

/** Milliseconds for a table cell: two decimals below 10, one above. */
export const ms = (value: number) => value.toFixed(value < 10 ? 2 : 1);
/** `value / baseline` for a table cell, as 1.23x. */
export const ratio = (value: number, baseline: number) => `${(value / baseline).toFixed(2)}x`;
