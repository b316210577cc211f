import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface CoreScaling {
  engine: string;
  /** Best addProducts images/s of each round, by the number of cores the process had. */
  imagesPerSecond: Record<number, number[]>;
}

/**
 * The whole service pinned to 1 core and to all of them (taskset), each in a
 * process of its own, with its settings' defaults: the worker and thread
 * counts follow the cores the process may use, and decoding, ResNet50 and
 * the database share those cores as they do in production. This is the
 * scaling a deployment sees when it adds cores; the in-process setups of
 * bench/ingest.ts cannot show it, since their "one worker" still decodes on
 * the other core. Rounds alternate the core counts so that other load on the
 * machine touches both alike. Undefined where taskset is missing (not Linux).
 */
export async function measureCoreScaling(options: {
  engine: 'onnx' | 'tfjs';
  cores: number;
  images: number;
  rounds: number;
}): Promise<CoreScaling | undefined> {
  if (!(await run('taskset', ['--version']).then(() => true, () => false))) return undefined;
  const counts = [...new Set([1, options.cores])];
  const imagesPerSecond: Record<number, number[]> = {};
  for (let round = 0; round < options.rounds; round += 1) {
    for (const cores of counts) {
      const { stdout } = await run(
        'taskset',
        ['-c', `0-${cores - 1}`, process.execPath, '--import', 'tsx', 'bench/ingest-service.ts', '--images', String(options.images)],
        { env: { ...process.env, FEATURE_ENGINE: options.engine }, maxBuffer: 1 << 20 },
      );
      const figure = JSON.parse(stdout.trim().split('\n').at(-1)!) as { imagesPerSecond: number };
      (imagesPerSecond[cores] ??= []).push(figure.imagesPerSecond);
    }
  }
  return { engine: options.engine, imagesPerSecond };
}
