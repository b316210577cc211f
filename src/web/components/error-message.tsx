import type { ApiError } from '../graphql-client';

/** An API error as the API named it: its message, its extensions.code and the attribute key at fault, if any. */
export function ErrorMessage({ error, id }: { error: ApiError; id?: string }) {
  return (
    <p class="error" role="alert" id={id}>
      <strong>{error.code}</strong>
      {error.key && (
        <>
          {' '}on <code>{error.key}</code>
        </>
      )}
      : {error.message}
    </p>
  );
}
