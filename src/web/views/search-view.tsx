import { useEffect, useState } from 'preact/hooks';
import { mayHaveCamera } from '../camera';
import { ErrorMessage } from '../components/error-message';
import { NeighbourList, SpaceLine } from '../components/neighbour-list';
import { SearchByPhotoDocument, type SearchByPhotoQuery } from '../generated/graphql';
import { ApiError, request } from '../graphql-client';
import { DEFAULT_K } from '../route';
import { asApiError } from '../use-query';

/**
 * Search by photo: a chosen, dropped, pasted or camera image goes to the API
 * as a data URL, and nowhere else.
 */
export function SearchView() {
  const [photo, setPhoto] = useState<{ name: string; dataUrl: string } | undefined>();
  const [k, setK] = useState(DEFAULT_K);
  const [answer, setAnswer] = useState<SearchByPhotoQuery['similarToImage'] | undefined>();
  const [error, setError] = useState<ApiError | undefined>();
  const [busy, setBusy] = useState(false);
  const [dragging, setDragging] = useState(false);
  const [camera, setCamera] = useState(false);

  useEffect(() => void mayHaveCamera().then(setCamera), []);

  async function take(file: File | undefined | null) {
    if (!file) return;
    // The previous photo's results would read as this file's.
    setAnswer(undefined);
    if (!file.type.startsWith('image/')) {
      setPhoto(undefined);
      setError(new ApiError(`${file.name || 'that file'} is not an image`, 'INVALID_IMAGE'));
      return;
    }
    setPhoto({ name: file.name || 'pasted image', dataUrl: await readAsDataUrl(file) });
  }

  useEffect(() => {
    const paste = (event: ClipboardEvent) => {
      const file = [...(event.clipboardData?.files ?? [])].find((f) => f.type.startsWith('image/'));
      if (file) void take(file);
    };
    addEventListener('paste', paste);
    return () => removeEventListener('paste', paste);
  }, []);

  useEffect(() => {
    if (!photo) return;
    let current = true;
    setBusy(true);
    setError(undefined);
    request(SearchByPhotoDocument, { image: photo.dataUrl, k })
      .then((data) => current && setAnswer(data.similarToImage))
      .catch((failure: unknown) => current && (setAnswer(undefined), setError(asApiError(failure))))
      .finally(() => current && setBusy(false));
    return () => {
      current = false;
    };
  }, [photo, k]);

  const chosen = (event: Event) => void take((event.currentTarget as HTMLInputElement).files?.[0]);

  return (
    <section aria-labelledby="view-title">
      <h1 id="view-title" tabIndex={-1}>Search by photo</h1>
      <div
        class={dragging ? 'dropzone dragging' : 'dropzone'}
        onDragOver={(event) => {
          event.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={(event) => {
          event.preventDefault();
          setDragging(false);
          void take(event.dataTransfer?.files[0]);
        }}
      >
        <p>Drop a photo here, paste one, or:</p>
        <label class="button">
          Choose a photo
          <input class="visually-hidden" type="file" accept="image/*" onChange={chosen} />
        </label>
        {camera && (
          <label class="button">
            Take a photo
            <input class="visually-hidden" type="file" accept="image/*" capture="environment" onChange={chosen} />
          </label>
        )}
      </div>
      <label class="k">
        Neighbours (k)
        <input
          type="number"
          min={1}
          max={100}
          value={k}
          onChange={(event) => {
            const value = Number((event.currentTarget as HTMLInputElement).value);
            if (Number.isInteger(value) && value >= 1 && value <= 100) setK(value);
          }}
        />
      </label>
      {error && <ErrorMessage error={error} />}
      {busy && <p aria-live="polite">Searching…</p>}
      {photo && (
        <div class="query">
          <img src={photo.dataUrl} alt={`Your photo: ${photo.name}`} class="photo" />
          {answer && (
            <p class="prediction" aria-live="polite">
              Predicted category: <strong>{answer.predictedCategory ?? '— (no trained head yet)'}</strong>
            </p>
          )}
        </div>
      )}
      {answer && (
        <>
          <h2>Nearest products</h2>
          <SpaceLine space={answer.space} modelVersion={answer.modelVersion} />
          <NeighbourList neighbours={answer.neighbours} category={answer.predictedCategory} />
        </>
      )}
    </section>
  );
}

function readAsDataUrl(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(reader.result as string);
    reader.onerror = () => reject(new ApiError(`${file.name} could not be read`, 'INVALID_IMAGE'));
    reader.readAsDataURL(file);
  });
}
