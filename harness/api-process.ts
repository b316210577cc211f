import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { serviceEntry } from './service-entry.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

/** The service as it is deployed: `main` in a process of its own (serviceEntry), so that its exit can be seen. */
export interface ApiProcess {
  /** The service's process id, for what the OS says of it (its CPU time in /proc). */
  readonly pid: number;
  /** Resolves with the service's URL once /readyz says it is ready; rejects if it exits first. */
  readonly ready: Promise<string>;
  /** Everything it printed so far, line by line, stdout and stderr together. */
  readonly lines: string[];
  /** Resolves with the exit code when it exits. */
  readonly exited: Promise<number | null>;
  running(): boolean;
  stop(): Promise<void>;
  /** Ends it as a crash or an OOM killer would: SIGKILL, no shutdown. */
  kill(): Promise<void>;
}

export function startApi(env: Record<string, string>): ApiProcess {
  const child: ChildProcess = spawn(process.execPath, serviceEntry('main'), {
    cwd: ROOT,
    env: { ...process.env, HOST: '127.0.0.1', PORT: '0', FEATURE_WORKERS: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  const listening = new Promise<string>((resolve, reject) => {
    for (const stream of [child.stdout!, child.stderr!]) {
      createInterface({ input: stream }).on('line', (line) => {
        lines.push(line);
        const url = /http:\/\/127\.0\.0\.1:\d+/.exec(line)?.[0];
        if (url) resolve(`${url}/`);
      });
    }
    void exited.then((code) => reject(new Error(`the API exited with ${code} before it was ready:\n${lines.join('\n')}`)));
  });
  // It listens before it loads the model and the search index: ready is what /readyz says.
  const ready = listening.then(async (url) => {
    while (!(await fetch(`${url}readyz`).then((response) => response.ok, () => false))) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`the API exited with ${child.exitCode ?? child.signalCode} before it was ready:\n${lines.join('\n')}`);
      }
      await sleep(100);
    }
    return url;
  });
  ready.catch(() => {});
  return {
    pid: child.pid!,
    ready,
    lines,
    exited,
    running: () => child.exitCode === null && child.signalCode === null,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      await exited;
    },
    async kill() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGKILL');
      await exited;
    },
  };
}
