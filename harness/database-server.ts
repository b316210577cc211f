import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const SERVER_PROCESS = fileURLToPath(new URL('./pglite-server-process.ts', import.meta.url));

/** A Postgres wire-protocol server in a child process: PGlite on a data folder behind pglite-socket. */
export interface DatabaseServer {
  readonly port: number;
  readonly url: string;
  /** Ends the process as a crash would: no shutdown, no flush beyond what PGlite already wrote. */
  kill(): Promise<void>;
}

/** Starts the server on `dataDir`; port 0 picks a free one, which a restart then reuses. */
export async function startDatabaseServer(dataDir: string, port = 0): Promise<DatabaseServer> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', SERVER_PROCESS, dataDir, String(port)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! });
  const listening = new Promise<string>((resolve, reject) => {
    lines.on('line', (line) => {
      const found = /^listening on (.+)$/.exec(line);
      if (found) resolve(found[1]!);
    });
    child.once('exit', (code) => reject(new Error(`database server exited with ${code} before listening`)));
  });
  const address = await listening;
  const actualPort = Number(address.split(':').at(-1));
  return {
    port: actualPort,
    url: `postgres://postgres@${address}/postgres`,
    async kill() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGKILL');
      await exited;
    },
  };
}
