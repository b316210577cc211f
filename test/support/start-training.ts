// Starts a long training run on the database in argv[2], prints `running <id>`
// once it runs, then waits to be killed: a service process dying mid-run.
import { loadConfig } from '../../src/config.js';
import { createServices } from '../../src/services.js';

const services = await createServices(loadConfig({ DATA_DIR: process.argv[2], FEATURE_WORKERS: '1' }), () => {});
const run = await services.training.startTraining({ epochs: 1000, batchSize: 4 });
while ((await services.training.getRun(run.id))!.epochs.length === 0) await new Promise((r) => setTimeout(r, 20));
console.log(`running ${run.id}`);
await new Promise(() => {});
