import { useEffect, useState } from 'preact/hooks';
import type { TypedDocumentString } from './generated/graphql';
import { ApiError, read } from './graphql-client';

export interface QueryState<TResult> {
  /** The latest answer; kept while newer variables load, so the view does not flash. */
  data: TResult | undefined;
  error: ApiError | undefined;
  loading: boolean;
  /** Asks again with the same variables: after a change the answer does not show. */
  reload: () => void;
}

/** Runs a query whenever its variables change; an answer to older variables is dropped. */
export function useQuery<TResult, TVariables>(document: TypedDocumentString<TResult, TVariables>, variables: TVariables): QueryState<TResult> {
  const [state, setState] = useState<Omit<QueryState<TResult>, 'reload'>>({ data: undefined, error: undefined, loading: true });
  const [asked, setAsked] = useState(0);
  const key = JSON.stringify(variables);
  useEffect(() => {
    let current = true;
    setState((previous) => ({ ...previous, loading: true }));
    read(document, variables).then(
      (data) => current && setState({ data, error: undefined, loading: false }),
      (error: unknown) => current && setState({ data: undefined, error: asApiError(error), loading: false }),
    );
    return () => {
      current = false;
    };
  }, [document, key, asked]);
  return { ...state, reload: () => setAsked((n) => n + 1) };
}

export function asApiError(error: unknown): ApiError {
  return error instanceof ApiError ? error : new ApiError(String((error as Error | undefined)?.message ?? error), 'CLIENT_ERROR');
}
