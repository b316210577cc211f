import { loadConfig, type Config } from '../config.js';
import type { Services, TrainingServices } from '../services.js';

/** Ctrl-C: the command says in one line what it leaves behind, and exits 130 as a shell reports a SIGINT. */
export class InterruptedError extends Error {}

/**
 * Runs a command against the same services the API uses, on the configured
 * database. Ctrl-C aborts the signal: the command stops after its current
 * batch and everything already committed stays.
 */
export async function runWithServices(work: (services: Services, signal: AbortSignal) => Promise<void>): Promise<void> {
  // Loaded here, not at start: help, --url imports and fetch-weights never load ResNet50's engines or the database.
  const { createServices } = await import('../services.js');
  await runOn(createServices, work);
}

/** runWithServices for a command that only trains: no ResNet50 is loaded. */
export async function runWithTrainingServices(work: (services: TrainingServices, signal: AbortSignal) => Promise<void>): Promise<void> {
  const { createTrainingServices } = await import('../services.js');
  await runOn(createTrainingServices, work);
}

async function runOn<S extends { close(): Promise<void> }>(
  create: (config: Config, log: (line: string) => void) => Promise<S>,
  work: (services: S, signal: AbortSignal) => Promise<void>,
): Promise<void> {
  const services = await create(loadConfig(process.env), (line) => console.error(line));
  try {
    await runInterruptible((signal) => work(services, signal));
  } finally {
    await services.close();
  }
}

/** Runs a command with a signal that Ctrl-C aborts. */
export async function runInterruptible(work: (signal: AbortSignal) => Promise<void>): Promise<void> {
  const controller = new AbortController();
  const interrupt = () => controller.abort(new InterruptedError('interrupted'));
  process.once('SIGINT', interrupt);
  try {
    await work(controller.signal);
  } finally {
    process.off('SIGINT', interrupt);
  }
}
