// Ingestion speed. Two sections, each printing its tables:
// - engines (bench/ingest-engines.ts): ResNet50, decoding and
//   addProducts by engine and cores, against the FLOP floor; ~10 minutes;
// - http (bench/ingest-http.ts): addProducts over HTTP to
//   the service as deployed, limits on, beside the same calls in process;
//   ~4 minutes.
// `--only engines` or `--only http` runs one of them.
//
//   node --import tsx bench/ingest.ts [--only engines|http] [--images 128] [--baseline-images 32]
//     [--rounds 3] [--max-batch 16] [--window-ms 4] [--http-images 128] [--http-batch 32]
//     [--out bench/results/ingest.json, or ingest-http.json with --only http]
import { mkdir, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { positiveInteger } from './flags.js';
import { measureEngines } from './ingest-engines.js';
import { measureHttpIngest } from './ingest-http.js';
import { machine, printTable, ratio } from './table.js';

const { values: flags } = parseArgs({
  options: {
    only: { type: 'string' },
    images: { type: 'string', default: '128' },
    'baseline-images': { type: 'string', default: '32' },
    rounds: { type: 'string', default: '3' },
    'max-batch': { type: 'string', default: '16' },
    'window-ms': { type: 'string', default: '4' },
    'http-images': { type: 'string', default: '128' },
    'http-batch': { type: 'string', default: '32' },
    out: { type: 'string' },
  },
});
if (flags.only !== undefined && flags.only !== 'engines' && flags.only !== 'http') throw new Error('--only takes engines or http');
const rounds = positiveInteger(flags, 'rounds');
const out = flags.out ?? (flags.only === 'http' ? 'bench/results/ingest-http.json' : 'bench/results/ingest.json');

const loadBefore = loadavg();
console.log(machine(loadBefore));

const engines =
  flags.only === 'http'
    ? undefined
    : await measureEngines({
        images: positiveInteger(flags, 'images'),
        baselineImages: positiveInteger(flags, 'baseline-images'),
        rounds,
        maxBatchSize: positiveInteger(flags, 'max-batch'),
        batchWindowMs: positiveInteger(flags, 'window-ms'),
      });

let http;
if (flags.only !== 'engines') {
  const batch = positiveInteger(flags, 'http-batch');
  console.log(`\naddProducts over HTTP (src/main.ts in its own process, ADMIN_TOKEN set, default limits) and in process, calls of ${batch}:`);
  const rows = await measureHttpIngest({ images: positiveInteger(flags, 'http-images'), batch, rounds, clients: [1, 2] }, console.log);
  const best = (values: number[]) => Math.max(...values);
  const least = (values: number[]) => Math.min(...values);
  const median = (values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    return (sorted[Math.floor((sorted.length - 1) / 2)]! + sorted[Math.ceil((sorted.length - 1) / 2)]!) / 2;
  };
  // Each round measures the two one after the other: their ratio in a round
  // shares that round's load, and its median over rounds is what a burst of
  // other work on the machine moves least.
  const roundRatios = (http: number[], inProcess: number[]) => http.map((value, i) => value / inProcess[i]!);
  console.log(`\nbest of ${rounds} rounds; the rounds' median ratio; CPU: the least of the rounds, every thread of the process serving the calls:`);
  printTable(
    ['clients', 'in process img/s', 'over HTTP img/s', 'HTTP / in process', 'median of rounds', 'in process CPU ms/img', 'HTTP CPU ms/img', 'HTTP / in process'],
    rows.map(({ clients, inProcess, http }) => [
      String(clients),
      best(inProcess.imagesPerSecond).toFixed(2),
      best(http.imagesPerSecond).toFixed(2),
      ratio(best(http.imagesPerSecond), best(inProcess.imagesPerSecond)),
      `${median(roundRatios(http.imagesPerSecond, inProcess.imagesPerSecond)).toFixed(2)}x`,
      least(inProcess.cpuMsPerImage).toFixed(0),
      least(http.cpuMsPerImage).toFixed(0),
      ratio(least(http.cpuMsPerImage), least(inProcess.cpuMsPerImage)),
    ]),
  );
  http = { batch, rows };
}

const loadAfter = loadavg();
console.log(`load average at the end: ${loadAfter.map((l) => l.toFixed(2)).join(' ')}`);
await mkdir(dirname(out), { recursive: true });
const results = {
  date: new Date().toISOString(),
  machine: { cpu: cpus()[0]?.model, cores: availableParallelism(), node: process.version, loadAverageBefore: loadBefore, loadAverageAfter: loadAfter },
  flags,
  ...engines,
  http,
};
await writeFile(out, `${JSON.stringify(results, null, 2)}\n`);
console.log(`wrote ${out}`);
