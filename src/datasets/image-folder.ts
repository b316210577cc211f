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

/** Images laid out as `DIR/<category>/<file>`, the common layout of real catalogs; other files are skipped. */
export async function listImageFolder(dir: string): Promise<FolderImage[]> {
  const categories = (await readdir(dir, { withFileTypes: true })).filter((entry) => entry.isDirectory());
  const images: FolderImage[] = [];
  for (const category of categories.sort((a, b) => a.name.localeCompare(b.name))) {
    const files = (await readdir(join(dir, category.name), { withFileTypes: true }))
      .filter((entry) => entry.isFile() && IMAGE_EXTENSIONS.has(extname(entry.name).toLowerCase()))
      .sort((a, b) => a.name.localeCompare(b.name));
    for (const file of files) {
      images.push({
        sku: `${category.name}/${file.name}`,
        name: parse(file.name).name,
        category: category.name,
        path: join(dir, category.name, file.name),
      });
    }
  }
  return images;
}
