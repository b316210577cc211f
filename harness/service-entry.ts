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
 * the suite starts dozens.
 */
export function serviceEntry(entry: 'main' | 'cli/main'): string[] {
  built ??= compiledAfterSources(SRC, DIST);
  return built ? [join(DIST, `${entry}.js`)] : ['--import', 'tsx', join(SRC, `${entry}.ts`)];
}

/**
 * Whether every TypeScript file under `src` (but the page, src/web, which
 * esbuild bundles) has its compiled file at the same place under `dist`,
 * written after it.
 */
export function compiledAfterSources(src: string, dist: string, dir = src): boolean {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (path !== join(src, 'web') && !compiledAfterSources(src, dist, path)) return false;
    } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) {
      const compiled = statSync(join(dist, relative(src, path)).replace(/\.ts$/, '.js'), { throwIfNoEntry: false });
      if (!compiled || compiled.mtimeMs < statSync(path).mtimeMs) return false;
    }
  }
  return true;
}
