// Opens the embedded database in argv[2], prints `open` and holds it until
// SIGTERM, then closes it (or, with argv[3] `exit`, leaves at once without
// closing): a second process on the same folder, as the service or the
// command line would be. Refused, it prints the one-line reason
// and exits with 1, as they do.
import { openDatabase } from '../../src/db/database.js';
import { DataDirLockedError } from '../../src/db/data-dir-lock.js';
import { CLUSTER_CACHE } from './database.js';

try {
  const database = await openDatabase({ pgliteDataDir: process.argv[2]!, pgliteCacheDir: CLUSTER_CACHE });
  const holding = setInterval(() => {}, 60_000);
  process.once('SIGTERM', () => {
    if (process.argv[3] === 'exit') process.exit(0);
    clearInterval(holding);
    void database.close();
  });
  console.log('open');
} catch (error) {
  if (!(error instanceof DataDirLockedError)) throw error;
  console.error(error.message);
  process.exitCode = 1;
}
