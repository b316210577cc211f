#!/usr/bin/env node
import { Command } from 'commander';
import { evaluateCommand } from './commands/evaluate.js';
import { fetchWeightsCommand } from './commands/fetch-weights.js';
import { importCommand } from './commands/import.js';
import { trainCommand } from './commands/train.js';

const program = new Command('lookalike')
  .description('lookalike from the command line: the same services as the GraphQL API, on the configured database')
  .addCommand(importCommand())
  .addCommand(trainCommand())
  .addCommand(evaluateCommand())
  .addCommand(fetchWeightsCommand());

await program.parseAsync();
