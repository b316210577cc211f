#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { ConfigError } from '../config.js';
import { FeedFormatError } from '../datasets/feed-rows.js';
import { ImageFolderError } from '../datasets/image-folder.js';
import { IdxFormatError } from '../datasets/idx.js';
import { DataDirLockedError } from '../db/data-dir-lock.js';
import { demoCommand } from './commands/demo.js';
import { evaluateCommand } from './commands/evaluate.js';
import { fetchWeightsCommand } from './commands/fetch-weights.js';
import { importCommand } from './commands/import.js';
import { trainCommand } from './commands/train.js';
import { EXIT_CODES } from './exit-codes.js';
import { RemoteImportError } from './remote-catalog.js';
import { InterruptedError } from './run-with-services.js';

// The same path from src/cli/ (tsx) and from dist/cli/ (built).
const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

const program = new Command('lookalike')
  .description('lookalike from the command line: the same services as the GraphQL API, on the configured database')
  .version(version)
  .option('--verbose', 'print the stack of an error, and name the files an import ignored')
  .addCommand(demoCommand())
  .addCommand(importCommand())
  .addCommand(trainCommand())
  .addCommand(evaluateCommand())
  .addCommand(fetchWeightsCommand());

/** Errors whose message is all a user needs: no hint that a stack would say more. */
const EXPLAINED = [InterruptedError, DataDirLockedError, RemoteImportError, ConfigError, IdxFormatError, FeedFormatError, ImageFolderError];

try {
  await program.parseAsync();
} catch (error) {
  if (program.opts().verbose === true) console.error(error);
  else console.error(oneLine(error));
  process.exitCode = error instanceof InterruptedError ? EXIT_CODES.interrupted : EXIT_CODES.couldNotRun;
}

function oneLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const line = text.trim().replace(/\s*\n\s*/g, '; ');
  if (EXPLAINED.some((kind) => error instanceof kind)) return line;
  const name = error instanceof Error ? `${error.name}: ` : '';
  return `${name}${line} (--verbose prints where it happened)`;
}
