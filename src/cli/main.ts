#!/usr/bin/env node
import { Command } from 'commander';
import { ConfigError } from '../config.js';
import { DataDirLockedError } from '../db/data-dir-lock.js';
import { evaluateCommand } from './commands/evaluate.js';
import { fetchWeightsCommand } from './commands/fetch-weights.js';
import { importCommand } from './commands/import.js';
import { trainCommand } from './commands/train.js';
import { RemoteImportError } from './remote-catalog.js';

const program = new Command('lookalike')
  .description('lookalike from the command line: the same services as the GraphQL API, on the configured database')
  .addCommand(importCommand())
  .addCommand(trainCommand())
  .addCommand(evaluateCommand())
  .addCommand(fetchWeightsCommand());

try {
  await program.parseAsync();
} catch (error) {
  // What the user can act on is said in one line; anything else keeps its stack.
  if (!(error instanceof DataDirLockedError || error instanceof RemoteImportError || error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exitCode = 1;
}
