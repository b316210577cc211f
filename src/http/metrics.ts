import type { ApolloServerPlugin } from '@apollo/server';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { ScanHelper } from '../search/scan-helper.js';
import type { Services } from '../services.js';
import type { AnswerCache } from './answer-cache.js';
import type { CatalogReads } from './catalog-reads.plugin.js';

/** Distinct operation names kept as labels; later ones count as 'other', so callers cannot grow the registry without bound. */
const MAX_OPERATION_NAMES = 100;
const OPERATION_NAME = /^[_A-Za-z][_0-9A-Za-z]{0,63}$/;

export interface ServiceMetrics {
  readonly registry: Registry;
  /** Counts and times every GraphQL request by operation name and outcome. */
  readonly plugin: ApolloServerPlugin<object>;
}

/**
 * The service's Prometheus metrics in a registry of its own. The ResNet50,
 * search and training figures are read from the services at each scrape;
 * before the services are up they read zero. Cacheable reads are counted by
 * how they were answered; their hit rate over a window is
 * `sum(rate(lookalike_catalog_reads_total{outcome!="miss"}[5m])) / sum(rate(lookalike_catalog_reads_total[5m]))`.
 */
export function createMetrics(services: () => Services | undefined, cache: { reads: CatalogReads; answers: AnswerCache }): ServiceMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });

  const requests = new Counter({
    name: 'lookalike_graphql_requests_total',
    help: 'GraphQL requests by operation name and outcome (ok, or the first error code).',
    labelNames: ['operation', 'outcome'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'lookalike_graphql_request_duration_seconds',
    help: 'Time from receiving a GraphQL request to sending its response.',
    labelNames: ['operation', 'outcome'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  new Gauge({
    name: 'lookalike_resnet50_queued_images',
    help: 'Images waiting for a ResNet50 batch or a free model.',
    registers: [registry],
    collect() {
      this.set(services()?.extractor.stats().queued ?? 0);
    },
  });
  new Gauge({
    name: 'lookalike_resnet50_busy_models',
    help: 'ResNet50 models working on a batch now.',
    registers: [registry],
    collect() {
      this.set(services()?.extractor.stats().busy ?? 0);
    },
  });
  for (const [name, help, read] of [
    ['lookalike_resnet50_images_total', 'Images through ResNet50 since start; rate() gives images per second.', 'images'],
    ['lookalike_resnet50_batches_total', 'ResNet50 batches since start.', 'batches'],
  ] as const) {
    new Counter({
      name,
      help,
      registers: [registry],
      collect() {
        this.reset();
        this.inc(services()?.extractor.stats()[read] ?? 0);
      },
    });
  }
  gauges(
    registry,
    [
      ['lookalike_image_decodes_running', 'Image decodes whose native work has not ended, timed out or not.', 'decoding'],
      ['lookalike_image_decodes_waiting', 'Image decodes waiting for a decoder or for room in MAX_DECODE_BYTES_IN_FLIGHT.', 'waiting'],
      ['lookalike_image_decode_bytes', 'Memory the running decodes hold, as their headers price it.', 'decodingBytes'],
    ],
    () => services()?.images.stats(),
  );
  new Gauge({
    name: 'lookalike_search_index_products',
    help: 'Products in the in-memory search index of the active embedding space.',
    registers: [registry],
    collect() {
      this.set(services()?.similarity.indexedProducts() ?? 0);
    },
  });
  new Gauge({
    name: 'lookalike_search_helper_running',
    help: '1 while the helper thread that large scans share their blocks with runs, else 0.',
    registers: [registry],
    collect() {
      this.set(ScanHelper.stats().running ? 1 : 0);
    },
  });
  let helperBatches = 0;
  new Counter({
    name: 'lookalike_search_helper_batches_total',
    help: 'Batches of blocks the helper thread read for scans.',
    registers: [registry],
    collect() {
      const { batches } = ScanHelper.stats();
      this.inc(batches - helperBatches);
      helperBatches = batches;
    },
  });
  new Gauge({
    name: 'lookalike_training_running',
    help: '1 while this process trains a run, else 0.',
    registers: [registry],
    collect() {
      this.set(services()?.training.training ? 1 : 0);
    },
  });

  new Counter({
    name: 'lookalike_catalog_reads_total',
    help: 'Cacheable reads by how they were answered: hit (kept answer), shared (an identical read running then), miss (ran), not_modified (304 to If-None-Match, not run).',
    labelNames: ['outcome'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const [outcome, count] of Object.entries(cache.reads.outcomes())) this.inc({ outcome }, count);
    },
  });
  new Gauge({
    name: 'lookalike_catalog_reads_hit_ratio',
    help: 'Share of the cacheable reads since start answered without running (hit, shared or not_modified); rate() of lookalike_catalog_reads_total gives it over a window.',
    registers: [registry],
    collect() {
      const { hit, shared, miss, not_modified } = cache.reads.outcomes();
      const total = hit + shared + miss + not_modified;
      this.set(total === 0 ? 0 : (hit + shared + not_modified) / total);
    },
  });
  gauges(
    registry,
    [
      ['lookalike_answer_cache_bytes', 'Memory the kept answers take, their JSON counted (ANSWER_CACHE_BYTES bounds it).', 'bytes'],
      ['lookalike_answer_cache_answers', 'Answers kept.', 'answers'],
    ],
    () => cache.answers.stats(),
  );

  const names = new Set<string>();
  function operationLabel(name: string | null | undefined): string {
    if (!name) return 'anonymous';
    if (!OPERATION_NAME.test(name)) return 'other';
    if (!names.has(name)) {
      if (names.size >= MAX_OPERATION_NAMES) return 'other';
      names.add(name);
    }
    return name;
  }

  const plugin: ApolloServerPlugin<object> = {
    async requestDidStart() {
      const stopTimer = duration.startTimer();
      return {
        async willSendResponse({ operationName, response }) {
          const errors = response.body.kind === 'single' ? response.body.singleResult.errors : undefined;
          const code = errors?.[0]?.extensions?.code;
          const labels = { operation: operationLabel(operationName), outcome: errors?.length ? String(code ?? 'ERROR') : 'ok' };
          requests.inc(labels);
          stopTimer(labels);
        },
      };
    },
  };
  return { registry, plugin };
}

/** One gauge per [name, help, field], each reading its field of `stats()` at a scrape; 0 while there are none. */
function gauges<S extends Record<keyof S, number>>(registry: Registry, fields: readonly (readonly [string, string, keyof S])[], stats: () => S | undefined): void {
  for (const [name, help, field] of fields) {
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(stats()?.[field] ?? 0);
      },
    });
  }
}
