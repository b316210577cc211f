import { readFile } from 'node:fs/promises';
import type { ImportItem } from '../catalog/catalog-import.js';
import { ProductRefusal } from '../catalog/product-refusal.js';
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

/** A folder's images as import items, and the files its layout leaves out (relative to it). */
export async function folderItems(dir: string): Promise<{ items: ImportItem[]; ignored: string[] }> {
  const { images, ignored } = await listImageFolder(dir);
  const items = images.map((image) => ({
    sku: image.sku,
    name: image.name,
    category: image.category,
    // A file gone or locked since the listing fails alone, as a damaged one does.
    image: async () =>
      new Uint8Array(
        await readFile(image.path).catch((error: NodeJS.ErrnoException) => {
          throw new ProductRefusal('IMAGE_UNREADABLE', `cannot read the file (${error.code ?? error.message})`, undefined);
        }),
      ),
  }));
  return { items, ignored };
}
