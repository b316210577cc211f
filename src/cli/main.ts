#!/usr/bin/env node
import { Command } from 'commander';
import { ConfigError } from '../config.js';
import { FeedFormatError } from '../datasets/feed-rows.js';
import { IdxFormatError } from '../datasets/idx.js';
import { DataDirLockedError } from '../db/data-dir-lock.js';
import { demoCommand } from './commands/demo.js';
import { evaluateCommand } from './commands/evaluate.js';
import { fetchWeightsCommand } from './commands/fetch-weights.js';
import { importCommand } from './commands/import.js';
import { trainCommand } from './commands/train.js';
import { RemoteImportError } from './remote-catalog.js';
import { InterruptedError } from './run-with-services.js';

const program = new Command('lookalike')
  .description('lookalike from the command line: the same services as the GraphQL API, on the configured database')
  .addCommand(demoCommand())
  .addCommand(importCommand())
  .addCommand(trainCommand())
  .addCommand(evaluateCommand())
  .addCommand(fetchWeightsCommand());

try {
  await program.parseAsync();
} catch (error) {
  // What the user can act on is said in one line; anything else keeps its stack.
  if (!(error instanceof InterruptedError || error instanceof DataDirLockedError || error instanceof RemoteImportError || error instanceof ConfigError || error instanceof IdxFormatError || error instanceof FeedFormatError)) {
    throw error;
  }
  console.error(error.message);
  // 128 + SIGINT, as a shell reports a command Ctrl-C ended.
  process.exitCode = error instanceof InterruptedError ? 130 : 1;
}
