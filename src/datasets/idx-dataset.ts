import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { IdxFormatError, readIdxFile } from './idx.js';

export const FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

export const FASHION_MNIST_CATEGORIES = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
] as const;

export const DIGIT_CATEGORIES = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'] as const;

export type IdxSplit = 'train' | 'test';

/** Grayscale images with integer labels, from a pair of IDX files. */
export interface IdxDataset {
  readonly size: number;
  readonly width: number;
  readonly height: number;
  /** Row-major grayscale pixels of item i, 0 = black. */
  image(index: number): Uint8Array;
  label(index: number): number;
}

/** The MNIST file names: `train-…` and `t10k-…`, each `-images-idx3-ubyte` / `-labels-idx1-ubyte`, optionally `.gz`. */
export async function openIdxDataset(dir: string, split: IdxSplit): Promise<IdxDataset> {
  const prefix = split === 'train' ? 'train' : 't10k';
  const images = await readIdxFile(await findFile(dir, `${prefix}-images-idx3-ubyte`));
  const labels = await readIdxFile(await findFile(dir, `${prefix}-labels-idx1-ubyte`));
  if (images.dims.length !== 3 || labels.dims.length !== 1) {
    throw new IdxFormatError(`${dir}: expected 3-d images and 1-d labels, found ${images.dims.length}-d and ${labels.dims.length}-d`);
  }
  const [size, height, width] = images.dims as [number, number, number];
  if (labels.dims[0] !== size) {
    throw new IdxFormatError(`${dir}: ${size} images but ${labels.dims[0]} labels`);
  }
  const pixels = height * width;
  return {
    size,
    width,
    height,
    image: (index) => images.data.subarray(index * pixels, (index + 1) * pixels),
    label: (index) => labels.data[index]!,
  };
}

async function findFile(dir: string, name: string): Promise<string> {
  for (const candidate of [`${name}.gz`, name]) {
    const path = join(dir, candidate);
    if (await access(path).then(() => true, () => false)) return path;
  }
  throw new IdxFormatError(`${dir}: neither ${name} nor ${name}.gz is there`);
}
