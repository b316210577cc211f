import { useEffect, useState } from 'preact/hooks';
import { ErrorMessage } from '../components/error-message';
import { TrainingChart } from '../components/training-chart';
import {
  StartTrainingDocument,
  TrainingOverviewDocument,
  WatchTrainingRunDocument,
  type TrainModelInput,
  type TrainingOverviewQuery,
  type WatchTrainingRunQuery,
} from '../generated/graphql';
import { ApiError, read, request } from '../graphql-client';
import { asApiError } from '../use-query';

/** How often a run in progress is asked about: an epoch of a small catalog takes about that long. */
const POLL_MS = 1000;

const FIELDS: { name: keyof TrainModelInput; label: string; placeholder: string; step: string }[] = [
  { name: 'epochs', label: 'Epochs', placeholder: '32', step: '1' },
  { name: 'batchSize', label: 'Batch size', placeholder: '64', step: '1' },
  { name: 'learningRate', label: 'Learning rate', placeholder: '0.0004', step: 'any' },
  { name: 'dropout', label: 'Dropout', placeholder: '0.7', step: 'any' },
  { name: 'hiddenUnits', label: 'Hidden units', placeholder: '1024', step: '1' },
  { name: 'validationSplit', label: 'Validation split', placeholder: '0.2', step: 'any' },
  { name: 'seed', label: 'Seed', placeholder: '42', step: '1' },
];

type Run = NonNullable<WatchTrainingRunQuery['trainingRun']>;
const finished = (status: string) => status === 'SUCCEEDED' || status === 'FAILED';

interface Props {
  /** Undefined where writes need no token. */
  adminToken: string | undefined;
  /** Changes after each add or delete: the product count is asked again. */
  catalogChanges: number;
}

/** Start a run, watch its curves grow, and see past runs and the active model version. */
export function TrainingPanel({ adminToken, catalogChanges }: Props) {
  const [overview, setOverview] = useState<TrainingOverviewQuery | undefined>();
  const [watched, setWatched] = useState<string | undefined>();
  const [run, setRun] = useState<Run | undefined>();
  // From the click until the run is first reported: queueing a run takes seconds.
  const [starting, setStarting] = useState(false);
  const [error, setError] = useState<ApiError | undefined>();

  const refresh = () =>
    read(TrainingOverviewDocument, {}).then(setOverview, (failure: unknown) => setError(asApiError(failure)));
  useEffect(() => void refresh(), [catalogChanges]);

  useEffect(() => {
    if (!watched) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let current = true;
    const poll = async () => {
      try {
        const { trainingRun } = await read(WatchTrainingRunDocument, { id: watched });
        if (!current) return;
        setRun(trainingRun ?? undefined);
        setStarting(false);
        if (trainingRun && !finished(trainingRun.status)) timer = setTimeout(poll, POLL_MS);
        else void refresh();
      } catch (failure) {
        if (current) {
          setStarting(false);
          setError(asApiError(failure));
        }
      }
    };
    void poll();
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [watched]);

  async function start(event: Event) {
    event.preventDefault();
    setError(undefined);
    setRun(undefined);
    setStarting(true);
    const form = new FormData(event.currentTarget as HTMLFormElement);
    const input: Record<string, number | string> = {};
    for (const { name } of FIELDS) {
      const value = String(form.get(name) ?? '').trim();
      if (value !== '') input[name] = Number(value);
    }
    const classWeight = String(form.get('classWeight') ?? '');
    if (classWeight) input.classWeight = classWeight;
    try {
      const { trainModel } = await request(StartTrainingDocument, { input: input as TrainModelInput }, adminToken);
      setWatched(trainModel.trainingRun.id);
      void refresh();
    } catch (failure) {
      setStarting(false);
      setError(asApiError(failure));
    }
  }

  const active = overview?.service.modelVersion;
  const busy = starting || (run !== undefined && !finished(run.status));
  return (
    <section aria-labelledby="training-title">
      <h2 id="training-title">Training</h2>
      {overview && (
        <p>
          Active model version: <strong>{active ?? 'none yet'}</strong> ({overview.service.embeddingSpace}); {overview.service.catalogSize} products in the catalog.
        </p>
      )}
      <form class="hyperparameters" onSubmit={start} aria-label="Start a training run">
        <fieldset>
          <legend>Hyperparameters (empty fields keep the defaults)</legend>
          {FIELDS.map(({ name, label, placeholder, step }) => (
            <label key={name}>
              {label}
              <input name={name} type="number" step={step} placeholder={placeholder} inputMode="decimal" />
            </label>
          ))}
          <label>
            Class weight
            <select name="classWeight">
              <option value="">default (BALANCED)</option>
              <option value="BALANCED">BALANCED</option>
              <option value="NONE">NONE</option>
            </select>
          </label>
        </fieldset>
        <button type="submit" disabled={busy}>
          Start training
        </button>
        <p role="status">{starting ? 'Starting a training run…' : busy ? 'A run is in progress: see below.' : ''}</p>
      </form>
      {error && <ErrorMessage error={error} />}
      {run && <RunDetails run={run} />}
      {overview && overview.trainingRuns.length > 0 && (
        <table class="runs">
          <caption>Past runs, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Run</th>
              <th scope="col">Status</th>
              <th scope="col">Validation accuracy</th>
              <th scope="col">Model version</th>
              <th scope="col">Started</th>
            </tr>
          </thead>
          <tbody>
            {overview.trainingRuns.map((r) => (
              <tr key={r.id}>
                <th scope="row">
                  <button type="button" class="link" onClick={() => setWatched(r.id)} aria-label={`Show run ${r.id}`}>
                    {r.id}
                  </button>
                </th>
                <td>{r.status}</td>
                <td>{r.metrics ? `${(r.metrics.valAccuracy * 100).toFixed(1)}%` : '—'}</td>
                <td>
                  {r.modelVersion ?? '—'}
                  {r.modelVersion && r.modelVersion === active && <span class="badge">active</span>}
                </td>
                <td>{new Date(r.createdAt).toLocaleString()}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function RunDetails({ run }: { run: Run }) {
  const planned = run.hyperparameters.epochs;
  return (
    <section class="run" aria-labelledby="run-title">
      <h3 id="run-title">Run {run.id}</h3>
      <p aria-live="polite">
        <span class="status">{run.status}</span>: {run.epochs.length} of {planned} epochs
        {run.trainingSamples != null && `, ${run.trainingSamples} training and ${run.validationSamples} validation samples`}
        {run.modelVersion && `, model version ${run.modelVersion}`}
      </p>
      <label>
        Progress
        <progress max={1} value={run.progress}>
          {Math.round(run.progress * 100)}%
        </progress>
      </label>
      {run.error && <p class="error" role="alert"><strong>FAILED</strong>: {run.error}</p>}
      {run.excludedCategories && run.excludedCategories.length > 0 && (
        <p>Left out (too few products): {run.excludedCategories.map((c) => `${c.category} (${c.products})`).join(', ')}</p>
      )}
      <TrainingChart epochs={run.epochs} plannedEpochs={planned} />
    </section>
  );
}
