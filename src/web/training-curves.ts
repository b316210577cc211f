// Loaded only by the training view (a chunk of its own): vega and vega-lite
// are most of the page's bytes, and the catalog does not need them.
import { View, parse } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { WatchTrainingRunQuery } from './generated/graphql';

type Epoch = NonNullable<WatchTrainingRunQuery['trainingRun']>['epochs'][number];

/** Draws loss and accuracy per epoch, training against validation, into `container` (SVG); returns what to call to stop it. */
export async function drawCurves(container: HTMLElement, epochs: readonly Epoch[], plannedEpochs: number): Promise<() => void> {
  const values = epochs.flatMap((e) => [
    { epoch: e.epoch, metric: 'loss', split: 'training', value: e.loss },
    { epoch: e.epoch, metric: 'loss', split: 'validation', value: e.valLoss },
    { epoch: e.epoch, metric: 'accuracy', split: 'training', value: e.accuracy },
    { epoch: e.epoch, metric: 'accuracy', split: 'validation', value: e.valAccuracy },
  ]);
  // Room for the axis titles and the legend beside the plot.
  const width = Math.max(200, container.clientWidth - 220);
  const chart = (metric: 'loss' | 'accuracy') => ({
    title: metric === 'loss' ? 'Loss' : 'Accuracy',
    width,
    height: 200,
    transform: [{ filter: { field: 'metric', equal: metric } }],
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'epoch', type: 'quantitative', title: 'Epoch', scale: { domain: [1, Math.max(plannedEpochs, 2)] }, axis: { tickMinStep: 1 } },
      y: { field: 'value', type: 'quantitative', title: metric, ...(metric === 'accuracy' ? { scale: { domain: [0, 1] } } : {}) },
      color: { field: 'split', type: 'nominal', title: null, scale: { domain: ['training', 'validation'], range: ['#1f5fa8', '#b3541e'] } },
      strokeDash: { field: 'split', type: 'nominal', legend: null, scale: { domain: ['training', 'validation'], range: [[1, 0], [6, 3]] } },
    },
  });
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    description: `Loss and accuracy per epoch, training and validation, after ${epochs.length} of ${plannedEpochs} epochs.`,
    data: { values },
    vconcat: [chart('loss'), chart('accuracy')],
    config: { font: 'system-ui, sans-serif' },
  } as TopLevelSpec;
  const view = new View(parse(compile(spec).spec), { renderer: 'svg', container, hover: true });
  await view.runAsync();
  return () => view.finalize();
}
