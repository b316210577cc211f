import { useState } from 'preact/hooks';
import { forgetAdminToken, keepAdminToken, readAdminToken } from '../admin-token';
import { ProductForms } from './product-forms';
import { TrainingPanel } from './training-panel';

/** Staff tools behind the admin token, asked for once per tab. */
export function StaffView() {
  const [token, setToken] = useState(readAdminToken);

  function signIn(event: Event) {
    event.preventDefault();
    const value = String(new FormData(event.currentTarget as HTMLFormElement).get('token') ?? '').trim();
    if (!value) return;
    keepAdminToken(value);
    setToken(value);
  }

  return (
    <section aria-labelledby="view-title">
      <h1 id="view-title" tabIndex={-1}>Staff</h1>
      {token ? (
        <>
          <p>
            The admin token is kept for this tab only.{' '}
            <button
              type="button"
              class="link"
              onClick={() => {
                forgetAdminToken();
                setToken(undefined);
              }}
            >
              Forget it
            </button>
          </p>
          <TrainingPanel adminToken={token} />
          <ProductForms adminToken={token} />
        </>
      ) : (
        <form class="token" onSubmit={signIn}>
          <label for="admin-token">Admin token</label>
          <input id="admin-token" name="token" type="password" required autoComplete="off" aria-describedby="token-help" />
          <p id="token-help">The service’s ADMIN_TOKEN. It stays in this tab (sessionStorage) and goes only to this service.</p>
          <button type="submit">Continue</button>
        </form>
      )}
    </section>
  );
}
