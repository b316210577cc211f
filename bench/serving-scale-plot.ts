// Query latency against catalog size, from bench/serving-scale.ts --json
// files: p50 and p95 of the partitioned int8 index and of the float32 full
// scan, one panel per catalog kind, log-log. Writes a PNG.
//
//   node --import tsx bench/serving-scale-plot.ts --out docs/serving-scale-latency.png \
//     bench/results/serving-scale-100k.json bench/results/serving-scale-1m.json
import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import type { TopLevelSpec } from 'vega-lite';
import { svgToPng } from '../src/reports/svg-to-png.js';
import { vegaLiteSvg } from '../src/reports/vega-lite-svg.js';

const { values: flags, positionals: files } = parseArgs({ options: { out: { type: 'string' } }, allowPositionals: true });
if (!flags.out || files.length === 0) throw new Error('usage: serving-scale-plot.ts --out chart.png results.json...');

interface Run {
  machine: string;
  records: { kind: string; products: number; p50: number; p95: number; float32P50: number | null; float32P95: number | null }[];
}

const runs = await Promise.all(files.map(async (file) => JSON.parse(await readFile(file, 'utf8')) as Run));
const points = runs.flatMap(({ records }) =>
  records.flatMap(({ kind, products, p50, p95, float32P50, float32P95 }) => [
    { kind, products, scan: 'partitioned int8', percentile: 'p50', ms: p50 },
    { kind, products, scan: 'partitioned int8', percentile: 'p95', ms: p95 },
    ...(float32P50 === null || float32P95 === null
      ? []
      : [
          { kind, products, scan: 'float32 full scan', percentile: 'p50', ms: float32P50 },
          { kind, products, scan: 'float32 full scan', percentile: 'p95', ms: float32P95 },
        ]),
  ]),
);

const spec: TopLevelSpec = {
  title: { text: 'similarProducts scan latency against catalog size (512-d, k = 6)', subtitle: runs.map((run) => `${run.machine} (at the run's end)`) },
  data: { values: points },
  facet: { column: { field: 'kind', type: 'nominal', title: null } },
  spec: {
    width: 300,
    height: 240,
    // The dash on the line layer alone, so that the legend shows dashes (as src/reports/learning-curves.ts does).
    layer: [
      { mark: 'line', encoding: { strokeDash: { field: 'percentile', type: 'nominal', title: null } } },
      { mark: { type: 'point', filled: true, opacity: 1 } },
    ],
    encoding: {
      x: { field: 'products', type: 'quantitative', title: 'Products', scale: { type: 'log' }, axis: { format: '~s' } },
      y: { field: 'ms', type: 'quantitative', title: 'Milliseconds per query', scale: { type: 'log' } },
      color: { field: 'scan', type: 'nominal', title: null },
    },
  },
  config: { legend: { orient: 'bottom' } },
};

await writeFile(flags.out, await svgToPng(await vegaLiteSvg(spec)));
console.log(`wrote ${flags.out}`);
