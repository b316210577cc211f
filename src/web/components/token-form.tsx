import { useState } from 'preact/hooks';
import { StaffAccessDocument } from '../generated/graphql';
import { ApiError, read } from '../graphql-client';
import { asApiError } from '../use-query';
import { ErrorMessage } from './error-message';

/** Asks for the admin token and checks it with the service at once, so a wrong one fails here, not at the first write. */
export function TokenForm({ onAccepted }: { onAccepted: (token: string) => void }) {
  const [checking, setChecking] = useState(false);
  const [refusal, setRefusal] = useState<ApiError | undefined>();

  async function submit(event: Event) {
    event.preventDefault();
    const value = String(new FormData(event.currentTarget as HTMLFormElement).get('token') ?? '').trim();
    if (!value) return;
    setChecking(true);
    setRefusal(undefined);
    try {
      const { service } = await read(StaffAccessDocument, {}, value);
      if (service.tokenAccepted) return onAccepted(value);
      setRefusal(new ApiError('wrong token: this service does not accept it', 'UNAUTHENTICATED'));
    } catch (failure) {
      setRefusal(asApiError(failure));
    } finally {
      setChecking(false);
    }
  }

  return (
    <form class="token" onSubmit={submit}>
      <label for="admin-token">Admin token</label>
      <input
        id="admin-token"
        name="token"
        type="password"
        required
        autoComplete="off"
        aria-invalid={refusal ? 'true' : undefined}
        aria-describedby={refusal ? 'token-help token-refusal' : 'token-help'}
      />
      <p id="token-help">The service’s ADMIN_TOKEN. It stays in this tab (sessionStorage) and goes only to this service.</p>
      <button type="submit" disabled={checking}>
        Continue
      </button>
      {refusal && <ErrorMessage error={refusal} id="token-refusal" />}
    </form>
  );
}
