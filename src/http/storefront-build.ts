// Bundles the storefront page (src/web) into dist/web with esbuild: `npm run
// build` runs this file, the browser tests call buildStorefront, and the
// service calls it when dist/web is missing (a development checkout).
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { STOREFRONT_DIR } from './storefront.route.js';

const ENTRY = fileURLToPath(new URL('../../src/web/main.tsx', import.meta.url));
/** Builds this process has started: each stages in a folder of its own. */
let builds = 0;

/**
 * Writes index.html (which names the hashed files) and assets/ with
 * content-hashed names: the charting code is a chunk of its own, loaded only
 * by the training view. Built beside `outDir`, then moved in place, so a
 * server reading it never sees half a build; the same build already in place
 * is left as it is (putInPlace).
 */
export async function buildStorefront(outDir = STOREFRONT_DIR): Promise<void> {
  const staging = `${outDir.replace(/\/$/, '')}.building-${process.pid}-${++builds}`;
  await rm(staging, { recursive: true, force: true });
  const assets = `${staging}/assets`;
  const result = await build({
    entryPoints: [ENTRY],
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'browser',
    target: ['es2022'],
    minify: true,
    sourcemap: 'linked',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    outdir: assets,
    entryNames: '[name]-[hash]',
    chunkNames: '[name]-[hash]',
    assetNames: '[name]-[hash]',
    define: { 'process.env.NODE_ENV': '"production"' },
    metafile: true,
    logLevel: 'silent',
  });
  const outputs = Object.entries(result.metafile.outputs);
  const [script] = outputs.find(([, output]) => output.entryPoint !== undefined && output.entryPoint.endsWith('main.tsx'))!;
  const style = outputs.find(([file]) => file.endsWith('.css'))?.[0];
  const path = (file: string) => `/assets/${relative(assets, file)}`;
  const html = indexHtml(path(script), style && path(style));
  await mkdir(staging, { recursive: true });
  await writeFile(`${staging}/index.html`, html);
  await putInPlace(staging, outDir, html, [path(script), ...(style ? [path(style)] : [])]);
}

/**
 * Moves the build in `staging` to `outDir`, unless the same build is there:
 * index.html names every other file by a hash of its content, so the same
 * index.html with the files it names (`named`) is the same page, and a
 * server reading it keeps reading it.
 * Two processes that build at once (the browser test files, side by side)
 * each end with one whole build in place: a rename that finds the other's
 * just landed compares again.
 */
async function putInPlace(staging: string, outDir: string, html: string, named: string[]): Promise<void> {
  const inPlace = await readFile(`${outDir}/index.html`, 'utf8').catch(() => undefined);
  if (inPlace === html && named.every((file) => existsSync(`${outDir}${file}`))) {
    await rm(staging, { recursive: true, force: true });
    return;
  }
  await rm(outDir, { recursive: true, force: true });
  try {
    await rename(staging, outDir);
  } catch (error) {
    const { code } = error as NodeJS.ErrnoException;
    if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw error;
    await putInPlace(staging, outDir, html, named);
  }
}

function indexHtml(script: string, style: string | undefined): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>lookalike storefront</title>
<meta name="description" content="Browse the catalog and see the products that look alike.">
<link rel="icon" href="data:,">
${style ? `<link rel="stylesheet" href="${style}">\n` : ''}<script type="module" src="${script}"></script>
</head>
<body>
<div id="app"><noscript>The storefront page needs JavaScript. The GraphQL API answers at this address: POST /, schema at <a href="/schema.graphql">/schema.graphql</a>.</noscript></div>
</body>
</html>
`;
}

if (process.argv[1] && basename(fileURLToPath(import.meta.url)) === basename(process.argv[1])) {
  const started = performance.now();
  await buildStorefront();
  console.log(`storefront page built into ${relative(process.cwd(), STOREFRONT_DIR)} in ${Math.round(performance.now() - started)} ms`);
}
