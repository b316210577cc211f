import { readdir } from 'node:fs/promises';
import { extname, join, parse } from 'node:path';

export const IMAGE_EXTENSIONS = new Set(['.jpg', '.jpeg', '.png', '.webp']);

export interface FolderImage {
  /** `<category>/<file>`: stable, so a second import finds what is there. */
  sku: string;
  name: string;
  category: string;
  path: string;
}

export interface ImageFolder {
  images: FolderImage[];
  /** What the layout leaves out, relative to the folder: files at its top, non-image files, folders within a category. */
  ignored: string[];
}

/** A folder (or a category's) that cannot be read; the message is the one line to show. */
export class ImageFolderError extends Error {
  override name = 'ImageFolderError';
}

/** Images laid out as `DIR/<category>/<file>`, the common layout of real catalogs; everything else is listed as ignored. */
export async function listImageFolder(dir: string): Promise<ImageFolder> {
  const images: FolderImage[] = [];
  const ignored: string[] = [];
  for (const entry of await entries(dir)) {
    if (!entry.isDirectory()) {
      ignored.push(entry.name);
      continue;
    }
    for (const file of await entries(join(dir, entry.name))) {
      const sku = `${entry.name}/${file.name}`;
      if (!file.isFile() || !IMAGE_EXTENSIONS.has(extname(file.name).toLowerCase())) {
        ignored.push(sku);
        continue;
      }
      images.push({ sku, name: parse(file.name).name, category: entry.name, path: join(dir, entry.name, file.name) });
    }
  }
  return { images, ignored };
}

async function entries(dir: string) {
  const found = await readdir(dir, { withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
    throw new ImageFolderError(`cannot read the folder ${dir}: ${error.code ?? error.message}`);
  });
  return found.sort((a, b) => a.name.localeCompare(b.name));
}
