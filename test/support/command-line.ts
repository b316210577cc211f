import { execFile, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { promisify } from 'node:util';
import { serviceEntry } from '../../harness/service-entry.js';

const execFileAsync = promisify(execFile);

/** Settings for a command's process: added to this process's environment, an undefined value removed from it. */
export type CommandEnvironment = Record<string, string | undefined>;

function environment(env: CommandEnvironment): NodeJS.ProcessEnv {
  const merged: NodeJS.ProcessEnv = { ...process.env, FEATURE_WORKERS: '2' };
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) delete merged[name];
    else merged[name] = value;
  }
  return merged;
}

/** `lookalike <args>` as a user runs it, in its own process; rejects with its code, stdout and stderr when it exits non-zero. */
export function lookalike(args: readonly string[], env: CommandEnvironment = {}, options: { timeout?: number } = {}) {
  return execFileAsync(process.execPath, [...serviceEntry('cli/main'), ...args], { env: environment(env), maxBuffer: 16 * 1024 * 1024, ...options });
}

/** The same, not waited for: for signals and what it prints while it runs. */
export function startLookalike(args: readonly string[], env: CommandEnvironment = {}): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, [...serviceEntry('cli/main'), ...args], { env: environment(env) });
}
