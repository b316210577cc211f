import { SingleBar } from 'cli-progress';

/** A progress bar with rate and ETA on stderr, so stdout stays clean for results. */
export function progressBar(label: string, unit: string): SingleBar {
  return new SingleBar({
    format: `${label} [{bar}] {percentage}% | {value}/{total} ${unit} | {rate} ${unit}/s | ETA {eta_formatted}`,
    barCompleteChar: '#',
    barIncompleteChar: '-',
    hideCursor: true,
    etaBuffer: 50,
    fps: 5,
    stream: process.stderr,
    // Piped to a log, a line every few seconds instead of redrawing.
    noTTYOutput: true,
    notTTYSchedule: 5000,
  });
}

/** Updates a bar's rate from the items done since it started. */
export function tracker(bar: SingleBar, total: number, initial = 0): (done: number) => void {
  const started = performance.now();
  bar.start(total, initial, { rate: '0.0' });
  return (done) => {
    const seconds = (performance.now() - started) / 1000;
    bar.update(done, { rate: ((done - initial) / Math.max(seconds, 1e-3)).toFixed(1) });
  };
}
