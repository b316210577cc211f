import { SingleBar } from 'cli-progress';

/** A progress bar with rate and ETA on stderr, so stdout stays clean for results. */
export function progressBar(label: string, unit: string): SingleBar {
  return new SingleBar({
    format: `${label} [{bar}] {percentage}% | {value}/{total} ${unit} | {rate} ${unit}/s | ETA {eta_formatted}`,
    barCompleteChar: '#',
    barIncompleteChar: '-',
    hideCursor: true,
    etaBuffer: 50,
    // cli-progress passes 'NULL' or 'INF' while the rate is unknown.
    formatTime: (eta) => formatEta(Number(eta)),
    fps: 5,
    // Drawn at every tick, so a line printed above it (printAbove) is followed by the bar again.
    forceRedraw: true,
    stream: process.stderr,
    // Piped to a log, a line every few seconds instead of redrawing.
    noTTYOutput: true,
    notTTYSchedule: 5000,
  });
}

/**
 * A line on stderr while a bar may be drawn there: on a terminal it takes the
 * bar's line, and the bar's next tick redraws it below. The cursor is saved
 * again there (ESC 7), as the bar's stop goes back to the position saved at
 * its start, which would be above the lines printed since.
 */
export function printAbove(line: string): void {
  process.stderr.write(process.stderr.isTTY ? `\r\x1b[2K${line}\n\x1b7` : `${line}\n`);
}

/** Updates a bar's rate from the items done since it started. */
export function tracker(bar: SingleBar, total: number): (done: number) => void {
  const started = performance.now();
  bar.start(total, 0, { rate: '0.0' });
  return (done) => {
    const seconds = (performance.now() - started) / 1000;
    bar.update(done, { rate: (done / Math.max(seconds, 1e-3)).toFixed(1) });
  };
}

/**
 * Seconds as "1h02m", "12m05s" or "9s". cli-progress's own formatter rounds
 * the seconds after splitting off the minutes, which prints "12m60s".
 */
export function formatEta(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const whole = Math.max(0, Math.round(seconds));
  const pad = (value: number) => String(value).padStart(2, '0');
  const minutes = Math.round(whole / 60);
  if (minutes >= 60) return `${Math.floor(minutes / 60)}h${pad(minutes % 60)}m`;
  if (whole >= 60) return `${Math.floor(whole / 60)}m${pad(whole % 60)}s`;
  return `${whole}s`;
}
