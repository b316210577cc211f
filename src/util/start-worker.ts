import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker, type Transferable } from 'node:worker_threads';

/**
 * The URL of a worker entry beside a module, with that module's own
 * extension: `.ts` when running from sources under tsx, `.js` once compiled.
 */
export function siblingWorkerUrl(name: string, moduleUrl: string): URL {
  return new URL(`./${name}${extname(fileURLToPath(moduleUrl))}`, moduleUrl);
}

export function startWorker(url: URL, workerData: unknown, transferList: Transferable[] = []): Worker {
  if (!url.pathname.endsWith('.ts')) return new Worker(url, { workerData, transferList });
  // On Node 20 tsx registers its loader in the main thread only, so a worker
  // started from sources registers it before importing the TypeScript entry.
  // Only tests and `npm run dev` take this path; dist/ never needs tsx.
  const tsx = JSON.stringify(import.meta.resolve('tsx/esm/api'));
  const entry = JSON.stringify(url.href);
  const code = `import(${tsx}).then((tsx) => { tsx.register(); return import(${entry}); });`;
  return new Worker(code, { eval: true, workerData, transferList });
}
