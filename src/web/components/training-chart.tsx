import { useEffect, useRef, useState } from 'preact/hooks';
import type { WatchTrainingRunQuery } from '../generated/graphql';

type Epochs = NonNullable<WatchTrainingRunQuery['trainingRun']>['epochs'];

/**
 * The loss and accuracy curves, redrawn as epochs arrive, with the same
 * figures in a table for those who do not see the picture.
 */
export function TrainingChart({ epochs, plannedEpochs }: { epochs: Epochs; plannedEpochs: number }) {
  const container = useRef<HTMLDivElement>(null);
  const [failure, setFailure] = useState<string | undefined>();
  useEffect(() => {
    let stop: (() => void) | undefined;
    let current = true;
    import('../training-curves')
      .then(({ drawCurves }) => drawCurves(container.current!, epochs, plannedEpochs))
      .then(
        (finalize) => (current ? (stop = finalize) : finalize()),
        (error: unknown) => current && setFailure(String((error as Error).message ?? error)),
      );
    return () => {
      current = false;
      stop?.();
    };
  }, [epochs, plannedEpochs]);
  return (
    <figure class="curves">
      <div ref={container} class="chart" data-epochs={epochs.length} />
      {failure && <p class="error" role="alert"><strong>CHART_ERROR</strong>: {failure}</p>}
      <figcaption>
        Loss and accuracy per epoch, training (solid) against validation (dashed): {epochs.length} of {plannedEpochs} epochs.
      </figcaption>
      <table class="epochs">
        <caption class="visually-hidden">Metrics per epoch</caption>
        <thead>
          <tr>
            <th scope="col">Epoch</th>
            <th scope="col">Loss</th>
            <th scope="col">Validation loss</th>
            <th scope="col">Accuracy</th>
            <th scope="col">Validation accuracy</th>
            <th scope="col">Seconds</th>
          </tr>
        </thead>
        <tbody>
          {epochs.map((e) => (
            <tr key={e.epoch}>
              <th scope="row">{e.epoch}</th>
              <td>{e.loss.toFixed(4)}</td>
              <td>{e.valLoss.toFixed(4)}</td>
              <td>{(e.accuracy * 100).toFixed(1)}%</td>
              <td>{(e.valAccuracy * 100).toFixed(1)}%</td>
              <td>{e.seconds.toFixed(2)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}
