import type { TopLevelSpec } from 'vega-lite';
import type { EpochMetrics } from '../domain/training-run.js';
import { svgToPng } from './svg-to-png.js';
import { vegaLiteSvg } from './vega-lite-svg.js';

export interface LearningCurvesOptions {
  title?: string;
  /** Names the main run in the legend when `compare` is given. */
  label?: string;
  /** A second run drawn dashed over the first, e.g. to show two training implementations agree. */
  compare?: { label: string; epochs: EpochMetrics[] };
}

interface Point {
  run: string;
  epoch: number;
  split: 'train' | 'validation';
  loss: number;
  accuracy: number;
}

type Panel = Extract<TopLevelSpec, { hconcat: unknown }>['hconcat'][number];

interface Panels {
  epochs: [first: number, last: number];
  compared: boolean;
}

function points(run: string, epochs: EpochMetrics[]): Point[] {
  return epochs.flatMap((e): Point[] => [
    { run, epoch: e.epoch, split: 'train', loss: e.loss, accuracy: e.accuracy },
    { run, epoch: e.epoch, split: 'validation', loss: e.valLoss, accuracy: e.valAccuracy },
  ]);
}

function panel(field: 'loss' | 'accuracy', title: string, panels: Panels, format?: string): Panel {
  const [first, last] = panels.epochs;
  return {
    width: 320,
    height: 220,
    encoding: {
      x: {
        field: 'epoch',
        type: 'quantitative',
        title: 'Epoch',
        // Half an epoch either side keeps the end points off the axes without bringing in a tick at epoch 0.
        scale: { domain: [first - 0.5, last + 0.5], nice: false },
        axis: { tickMinStep: 1, format: 'd' },
      },
      // Without zero the curves fill the panel; accuracy near 90% would otherwise be a flat line at the top.
      y: { field, type: 'quantitative', title, scale: { zero: false }, axis: format ? { format } : {} },
      color: { field: 'split', type: 'nominal', title: null },
    },
    // Points in a layer of their own: on the line mark (`point: true`) they would make Vega-Lite fill the
    // dash legend's samples and leave their stroke, and so the dashes, transparent.
    layer: [
      {
        mark: 'line',
        encoding: panels.compared ? { strokeDash: { field: 'run', type: 'nominal', title: null } } : {},
      },
      { mark: { type: 'point', filled: true, opacity: 1 } },
    ],
  };
}

/** Loss and accuracy, train vs validation per epoch, side by side, as an SVG document. */
export async function learningCurvesSvg(epochs: EpochMetrics[], options: LearningCurvesOptions = {}): Promise<string> {
  if (epochs.length === 0) throw new RangeError('learning curves need at least one epoch');
  const { title, label = 'run', compare } = options;
  const values = [...points(label, epochs), ...(compare ? points(compare.label, compare.epochs) : [])];
  const numbers = values.map((p) => p.epoch);
  const panels: Panels = { epochs: [Math.min(...numbers), Math.max(...numbers)], compared: !!compare };
  const spec: TopLevelSpec = {
    ...(title && { title }),
    data: { values },
    hconcat: [panel('loss', 'Loss', panels), panel('accuracy', 'Accuracy', panels, '%')],
    config: {
      // Line samples rather than dots, so that the legend shows which run is dashed.
      legend: {
        orient: 'bottom',
        direction: 'horizontal',
        symbolType: 'stroke',
        symbolStrokeWidth: 2,
        symbolSize: 400,
      },
    },
  };
  return vegaLiteSvg(spec);
}

export async function learningCurvesPng(epochs: EpochMetrics[], options?: LearningCurvesOptions): Promise<Uint8Array> {
  return svgToPng(await learningCurvesSvg(epochs, options));
}
