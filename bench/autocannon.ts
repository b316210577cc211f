import { createRequire } from 'node:module';

/** What the benches read of an autocannon run. */
export interface LoadResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number };
  errors: number;
  timeouts: number;
  non2xx: number;
  mismatches: number;
}

/** autocannon, a CommonJS package without types of its own, as the benches call it. */
export const autocannon = createRequire(import.meta.url)('autocannon') as (options: Record<string, unknown>) => Promise<LoadResult>;
