import { readFile } from 'node:fs/promises';
import type { ImportItem } from '../catalog/catalog-import.js';
import { listImageFolder } from '../datasets/image-folder.js';
import type { IdxDataset, IdxSplit } from '../datasets/idx-dataset.js';
import { grayscaleToPng } from '../datasets/grayscale-png.js';

/** Items `from` to `from + count` of an IDX split, with a sku per item that stays the same across imports. */
export function idxItems(
  dataset: IdxDataset,
  options: { name: string; split: IdxSplit; from: number; count: number; categories: readonly string[] | undefined },
): ImportItem[] {
  const end = Math.min(dataset.size, options.from + options.count);
  const items: ImportItem[] = [];
  for (let index = options.from; index < end; index++) {
    const label = dataset.label(index);
    items.push({
      sku: idxSku(options.name, options.split, index),
      name: `${options.name} ${options.split} #${index}`,
      category: options.categories ? (options.categories[label] ?? String(label)) : String(label),
      image: () => grayscaleToPng(dataset.image(index), dataset.width, dataset.height),
    });
  }
  return items;
}

export function idxSku(name: string, split: IdxSplit, index: number): string {
  return `${name}/${split}/${String(index).padStart(5, '0')}`;
}

export async function folderItems(dir: string): Promise<ImportItem[]> {
  return (await listImageFolder(dir)).map((image) => ({
    sku: image.sku,
    name: image.name,
    category: image.category,
    image: async () => new Uint8Array(await readFile(image.path)),
  }));
}
