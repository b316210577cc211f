import { useEffect, useState } from 'preact/hooks';
import { forgetAdminToken, keepAdminToken, readAdminToken } from '../admin-token';
import { ErrorMessage } from '../components/error-message';
import { TokenForm } from '../components/token-form';
import { StaffAccessDocument } from '../generated/graphql';
import { ApiError, read } from '../graphql-client';
import { asApiError } from '../use-query';
import { ProductForms } from './product-forms';
import { TrainingPanel } from './training-panel';

/** Staff tools: behind the admin token when the service has one, open at once on a loopback service without it. */
export function StaffView() {
  const [needsToken, setNeedsToken] = useState<boolean | undefined>();
  const [token, setToken] = useState(readAdminToken);
  const [error, setError] = useState<ApiError | undefined>();
  // Bumped by each add and delete, so the training panel's product count follows.
  const [catalogChanges, setCatalogChanges] = useState(0);

  useEffect(() => {
    read(StaffAccessDocument, {}, token).then(({ service }) => {
      // A token kept from before the service's ADMIN_TOKEN changed would fail at the first write.
      if (token && !service.tokenAccepted) forget();
      setNeedsToken(service.writesNeedToken);
    }, (failure: unknown) => setError(asApiError(failure)));
  }, []);

  function accept(value: string) {
    keepAdminToken(value);
    setToken(value);
  }

  function forget() {
    forgetAdminToken();
    setToken(undefined);
  }

  const tools = (adminToken: string | undefined) => (
    <>
      <TrainingPanel adminToken={adminToken} catalogChanges={catalogChanges} />
      <ProductForms adminToken={adminToken} onChanged={() => setCatalogChanges((n) => n + 1)} />
    </>
  );

  return (
    <section aria-labelledby="view-title">
      <h1 id="view-title" tabIndex={-1}>Staff</h1>
      {error && <ErrorMessage error={error} />}
      {needsToken === undefined && !error && <p aria-live="polite">Loading…</p>}
      {needsToken === false && (
        <>
          <p class="notice">Writes are open: this service listens on loopback without an ADMIN_TOKEN, so no token is needed here.</p>
          {tools(undefined)}
        </>
      )}
      {needsToken && !token && <TokenForm onAccepted={accept} />}
      {needsToken && token && (
        <>
          <p>
            The admin token is kept for this tab only.{' '}
            <button type="button" class="link" onClick={forget}>
              Forget it
            </button>
          </p>
          {tools(token)}
        </>
      )}
    </section>
  );
}
