import { loadConfig } from '../config.js';
import { createServices, type Services } from '../services.js';

/**
 * Runs a command against the same services the API uses, on the configured
 * database. Ctrl-C aborts the signal: the command stops after its current
 * batch and everything already committed stays.
 */
export async function runWithServices(work: (services: Services, signal: AbortSignal) => Promise<void>): Promise<void> {
  const services = await createServices(loadConfig(process.env), (line) => console.error(line));
  try {
    await runInterruptible((signal) => work(services, signal));
  } finally {
    await services.close();
  }
}

/** Runs a command with a signal that Ctrl-C aborts. */
export async function runInterruptible(work: (signal: AbortSignal) => Promise<void>): Promise<void> {
  const controller = new AbortController();
  const interrupt = () => controller.abort(new Error('interrupted'));
  process.once('SIGINT', interrupt);
  try {
    await work(controller.signal);
  } finally {
    process.off('SIGINT', interrupt);
  }
}
