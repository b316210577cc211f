import type { ApiError } from '../graphql-client';

/** An API error as the API named it: its message and its extensions.code. */
export function ErrorMessage({ error }: { error: ApiError }) {
  return (
    <p class="error" role="alert">
      <strong>{error.code}</strong>: {error.message}
    </p>
  );
}
