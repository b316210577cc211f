import { writeFile } from 'node:fs/promises';
import { repositorySql } from './repository-sql.js';

for (const [path, text] of await repositorySql()) {
  await writeFile(path, text);
  console.log(`wrote ${path}`);
}
