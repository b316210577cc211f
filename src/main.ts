import { buildApp, type HttpApp } from './app.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import { createLogger } from './http/logger.js';
import { createServices, type Services } from './services.js';

// Listen first, then load the model: a taken port or a refused setting fails
// in a second with one line, and /healthz answers while ResNet50 loads.
const config = settingsOrExit();
const logger = createLogger(config);
// Signals are ours from here on, so a stop at any instant of start-up is an orderly one:
// stop() reads these, so they are declared before the handlers and assigned after.
let app: HttpApp | undefined;
let services: Promise<Services> | undefined;
let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void stop(signal));

// eslint-disable-next-line prefer-const
app = await buildApp(config, logger).catch(exitOnRefusal);
const url = await listenOrExit(app, config);
// eslint-disable-next-line prefer-const
services = createServices(config, (line) => logger.info(line));
try {
  await app.serve(await services);
  logger.info(`lookalike GraphQL API at ${url}/`);
} catch (error) {
  if (!stopping) {
    // One line for the operator: a database that never came, a model that would not load.
    console.error(`lookalike could not start: ${describe(error).message}`);
    process.exit(1);
  }
}

/**
 * Stops taking requests, lets those in flight finish (up to
 * SHUTDOWN_TIMEOUT_MS), stops a training run (marked failed: the service is
 * stopping), closes the database and exits 0. A second signal exits at once.
 */
async function stop(signal: string): Promise<void> {
  if (stopping) {
    logger.warn(`${signal} again: exiting without waiting`);
    process.exit(1);
  }
  stopping = true;
  logger.info(`${signal}: stopping`);
  try {
    await app?.close();
    await (await services?.catch(() => undefined))?.close();
    logger.info('stopped');
    process.exit(0);
  } catch (error) {
    logger.error({ error: describe(error) }, 'stopping failed');
    process.exit(1);
  }
}

function settingsOrExit(): Config {
  try {
    return loadConfig(process.env);
  } catch (error) {
    return exitOnRefusal(error);
  }
}

function exitOnRefusal(error: unknown): never {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exit(1);
}

async function listenOrExit(app: HttpApp, config: Config): Promise<string> {
  const { host, port } = config.http;
  try {
    return await app.server.listen({ host, port });
  } catch (error) {
    const code = (error as { code?: string }).code;
    const reason =
      code === 'EADDRINUSE' ? 'is already in use'
      : code === 'EACCES' ? 'needs privileges this process lacks'
      : code === 'EADDRNOTAVAIL' ? 'is not an address of this machine'
      : `cannot be listened on: ${describe(error).message}`;
    console.error(`port ${port} on ${host} ${reason}`);
    process.exit(1);
  }
}

function describe(error: unknown): { name: string; message: string } {
  return error instanceof Error ? { name: error.name, message: error.message } : { name: typeof error, message: String(error) };
}
