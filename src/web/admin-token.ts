// The admin token lives for the tab only (sessionStorage): entered once, gone
// when the tab closes, never sent anywhere but the API's Authorization header.
const KEY = 'lookalike.adminToken';

export function readAdminToken(): string | undefined {
  return sessionStorage.getItem(KEY) ?? undefined;
}

export function keepAdminToken(token: string): void {
  sessionStorage.setItem(KEY, token);
}

export function forgetAdminToken(): void {
  sessionStorage.removeItem(KEY);
}
