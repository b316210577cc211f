import { loadConfig } from './config.js';
import { startApp } from './app.js';

const config = loadConfig(process.env);
const app = await startApp(config).catch((error: unknown) => {
  // One line for the operator: a database that never came, a model that would not load.
  console.error(`lookalike could not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
console.log(`lookalike GraphQL API at ${app.url}`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.log(`${signal}: shutting down`);
    app.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  });
}
