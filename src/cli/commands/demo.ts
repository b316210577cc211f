import { Command, Option } from 'commander';
import { loadConfig } from '../../config.js';
import { FASHION_MNIST_CATEGORIES, FASHION_MNIST_DIR, openIdxDataset } from '../../datasets/idx-dataset.js';
import { IdxFormatError } from '../../datasets/idx.js';
import { idxItems } from '../import-sources.js';
import { runWithServices } from '../run-with-services.js';
import { EXIT_CODES } from '../exit-codes.js';
import { importWithProgress, summaryLine } from './import.js';
import { trainHead } from './train.js';

/**
 * Sizes of the demo catalog: the first items of Fashion-MNIST's training
 * split. ResNet50 reads ~16-28 images/s on 2 cores, so medium imports in 2-3
 * minutes and trains the head in about one; small is for the test suite.
 */
export const DEMO_SIZES = {
  small: { items: 300, epochs: 2 },
  medium: { items: 3000, epochs: 32 },
} as const;

type DemoSize = keyof typeof DEMO_SIZES;

export function demoCommand(): Command {
  return new Command('demo')
    .description(
      'fill the database with a demo catalog: Fashion-MNIST items with their categories, and a head trained on them; ' +
        'an interrupted demo continues where it stopped when run again',
    )
    .addOption(
      new Option('--size <size>', `small (${DEMO_SIZES.small.items} items) or medium (${DEMO_SIZES.medium.items})`)
        .choices(Object.keys(DEMO_SIZES))
        .default('medium'),
    )
    .option('--dir <dir>', 'folder with the Fashion-MNIST IDX files', FASHION_MNIST_DIR)
    .action(async (options: { size: DemoSize; dir: string }) => {
      const size = DEMO_SIZES[options.size];
      const dataset = await openIdxDataset(options.dir, 'train').catch((error: unknown) => {
        if (!(error instanceof IdxFormatError)) throw error;
        throw new IdxFormatError(`${error.message}; ./scripts/install-debian-packages.sh installs it (Debian's dataset-fashion-mnist)`);
      });
      const items = idxItems(dataset, { name: 'fashion-mnist', split: 'train', from: 0, count: size.items, categories: FASHION_MNIST_CATEGORIES });
      const config = loadConfig(process.env);

      await runWithServices(async ({ catalog, training }, signal) => {
        console.error(`demo: ${items.length} Fashion-MNIST items through ResNet50, then ${size.epochs} epochs of the categorical head`);
        const imported = await importWithProgress(catalog, items, 64, signal);
        console.log(summaryLine(imported));
        if (imported.failed > 0) process.exitCode = EXIT_CODES.someFailed;
        const products = await catalog.countProducts();
        const [latest] = await training.listRuns(1);
        // A rerun after a finished demo has nothing left to do.
        if (latest?.status === 'succeeded' && latest.metrics?.embeddedProducts === products) {
          console.log(`training run ${latest.id} already covers the ${products} products: model version ${latest.modelVersionId} active`);
        } else {
          await trainHead(training, { epochs: size.epochs }, signal);
        }
        const [boot] = await catalog.findBySkus([items[0]!.sku]);
        console.log(tryIt(`http://${config.http.host}:${config.http.port}/`, products, boot?.id));
      });
    });
}

function tryIt(url: string, products: number, bootId: number | undefined): string {
  const curl = (query: string) => `  curl -s ${url} -H 'content-type: application/json' -d '${JSON.stringify({ query })}'`;
  return [
    `The demo catalog is ready: ${products} products. Start the service with \`npm start\` and open ${url}, or try:`,
    curl(`{ similarProducts(id: "${bootId ?? 1}", k: 6) { space neighbours { distance product { id sku category } } } }`),
    curl('{ products(first: 3, category: "Bag") { totalCount edges { node { id sku category } } } }'),
    curl('{ service { catalogSize embeddingSpace featureEngine } }'),
  ].join('\n');
}
