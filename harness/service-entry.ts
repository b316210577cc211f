import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const SRC = fileURLToPath(new URL('../src/', import.meta.url));
const DIST = fileURLToPath(new URL('../dist/', import.meta.url));

let built: boolean | undefined;

/**
 * Node's arguments for one of the service's entry points in a process of its
 * own: the compiled file in dist/ when `tsc` wrote it after every source last
 * changed (`npm test` builds first), the TypeScript source through tsx
 * otherwise, so a test run after an edit never meets an older build. Through
 * tsx, a process that starts the services spends about 2 s more CPU loading
 * its modules (7.1 s against 5.3 s of wall time for an empty feed import), and
 * the suite starts hundreds.
 */
export function serviceEntry(entry: 'main' | 'cli/main'): string[] {
  built ??= isBuilt(SRC);
  return built ? [join(DIST, `${entry}.js`)] : ['--import', 'tsx', join(SRC, `${entry}.ts`)];
}

/** Whether every TypeScript file under `dir` has its compiled file, written after it. */
function isBuilt(dir: string): boolean {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      // The page is bundled by esbuild, not compiled by tsc.
      if (path !== join(SRC, 'web') && !isBuilt(path)) return false;
    } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) {
      const compiled = statSync(join(DIST, relative(SRC, path)).replace(/\.ts$/, '.js'), { throwIfNoEntry: false });
      if (!compiled || compiled.mtimeMs < statSync(path).mtimeMs) return false;
    }
  }
  return true;
}
