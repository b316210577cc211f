#!/usr/bin/env node
import { Command } from 'commander';
import { importCommand } from './commands/import.js';
import { trainCommand } from './commands/train.js';

const program = new Command('lookalike')
  .description('lookalike from the command line: the same services as the GraphQL API, on the configured database')
  .addCommand(importCommand())
  .addCommand(trainCommand());

await program.parseAsync();
