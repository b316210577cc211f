/** How every command ends (README, "Command line"); 0 is all done. */
export const EXIT_CODES = {
  /** It could not run: a bad option, a missing folder, a service out of reach or refusing the batches. */
  couldNotRun: 1,
  /** It ran to its end, but some items failed and were named. */
  someFailed: 2,
  /** Ctrl-C: 128 + SIGINT, as a shell reports it. */
  interrupted: 130,
} as const;
