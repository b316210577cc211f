import { Command, Option } from 'commander';
import type { HyperparameterOverrides } from '../../domain/hyperparameters.js';
import type { TrainingRun } from '../../domain/training-run.js';
import type { TrainingService } from '../../training/training.service.js';
import { InterruptedError, runWithTrainingServices } from '../run-with-services.js';

export function hyperparameterOptions(command: Command): Command {
  return command
    .option('--epochs <n>', 'epochs (default 32)', Number)
    .option('--batch-size <n>', 'batch size (default 64)', Number)
    .option('--learning-rate <x>', "Adam's learning rate (default 0.0004)", Number)
    .option('--dropout <x>', 'dropout rate (default 0.7)', Number)
    .option('--hidden-units <n>', 'first hidden layer (default 1024)', Number)
    .option('--validation-split <x>', 'validation share (default 0.2)', Number)
    .addOption(new Option('--class-weight <kind>', 'class weights (default balanced)').choices(['balanced', 'none']))
    .option('--seed <n>', 'random seed (default 42)', Number)
    .option('--early-stopping-patience <n>', 'stop after this many epochs without a lower validation loss (default: train every epoch)', Number)
    .option('--restore-best-weights', 'keep the epoch with the lowest validation loss instead of the last (default: the last)')
    .addOption(
      new Option('--embedding-normalization <kind>', "how the model version turns the head's mid-layer outputs into embeddings (default standardize)").choices([
        'standardize',
        'unit-length',
      ]),
    );
}

export function hyperparametersFrom(options: Record<string, unknown>): HyperparameterOverrides {
  return {
    epochs: options.epochs as number | undefined,
    batchSize: options.batchSize as number | undefined,
    learningRate: options.learningRate as number | undefined,
    dropout: options.dropout as number | undefined,
    hiddenUnits: options.hiddenUnits as number | undefined,
    validationSplit: options.validationSplit as number | undefined,
    classWeight: (options.classWeight as string | undefined)?.toUpperCase() as 'BALANCED' | 'NONE' | undefined,
    seed: options.seed as number | undefined,
    earlyStoppingPatience: options.earlyStoppingPatience as number | undefined,
    restoreBestWeights: options.restoreBestWeights as boolean | undefined,
    embeddingNormalization: (options.embeddingNormalization as string | undefined)?.toUpperCase().replace('-', '_') as
      | 'STANDARDIZE'
      | 'UNIT_LENGTH'
      | undefined,
  };
}

export function trainCommand(): Command {
  return hyperparameterOptions(
    new Command('train').description('train the categorical head on every product with a category, and switch its model version on'),
  ).action(async (options) => {
    await runWithTrainingServices(({ training }, signal) => trainHead(training, hyperparametersFrom(options), signal).then(() => undefined));
  });
}

/** Trains a run to its end, one line per epoch on stderr and its outcome on stdout; Ctrl-C stops it. */
export async function trainHead(training: TrainingService, hyperparameters: HyperparameterOverrides, signal: AbortSignal): Promise<TrainingRun> {
  // The service logs each epoch as it ends (to stderr here).
  const run = await training.startTraining(hyperparameters);
  const stop = () => void training.close();
  signal.addEventListener('abort', stop);
  await training.idle();
  signal.removeEventListener('abort', stop);
  if (signal.aborted) throw new InterruptedError(`interrupted: training run ${run.id} stopped, the active model version unchanged`);
  const finished = (await training.getRun(run.id))!;
  if (finished.status !== 'succeeded') throw new Error(`training run ${run.id} failed: ${finished.error}`);
  console.log(
    `training run ${run.id} succeeded: model version ${finished.modelVersionId} active, ` +
      `val_acc ${finished.metrics!.valAccuracy.toFixed(4)} (epoch ${finished.metrics!.keptEpoch} of ${finished.epochs.length}), ` +
      `${finished.metrics!.embeddedProducts} products embedded`,
  );
  const excluded = finished.excludedCategories ?? [];
  if (excluded.length > 0) {
    const named = excluded.slice(0, 20).map((e) => `${e.category} (${e.products})`);
    const more = excluded.length > named.length ? `, and ${excluded.length - named.length} more` : '';
    console.log(`${excluded.length} categories left out for too few products: ${named.join(', ')}${more}`);
  }
  return finished;
}
