/**
 * Calls `beat` every `intervalMs` until stopped. Beats that fail while the
 * database is away are said once when they start failing and once when they
 * succeed again, not every interval. Returns the stop function.
 */
export function startHeartbeat(beat: () => Promise<void>, intervalMs: number, log: (line: string) => void): () => void {
  let failing = false;
  const timer = setInterval(() => {
    beat().then(
      () => {
        if (!failing) return;
        failing = false;
        log('heartbeat resumed');
      },
      (error: unknown) => {
        if (failing) return;
        failing = true;
        log(`heartbeat failed, retrying every ${(intervalMs / 1000).toFixed(1)} s: ${error instanceof Error ? error.message : String(error)}`);
      },
    );
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
