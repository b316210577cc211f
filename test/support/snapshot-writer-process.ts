// Saves snapshots of a changing table until killed, printing each generation
// once its save has returned: the writer the kill -9 test cuts short.
//   snapshot-writer-process.ts <dir> <first generation>
import { IndexSnapshots } from '../../src/search/index-snapshot.js';
import { SNAPSHOT_ORIGIN, snapshotTableAt } from './snapshot-tables.js';

const [dir, first] = process.argv.slice(2);
const snapshots = new IndexSnapshots(dir!);
for (let generation = Number(first); ; generation++) {
  await snapshots.save({ space: 1, origin: SNAPSHOT_ORIGIN, generation }, snapshotTableAt(generation), []);
  console.log(`saved ${generation}`);
}
