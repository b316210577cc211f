import { createHash, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import type { Config } from '../config.js';

/**
 * Who may write: requests bearing the admin token, or anyone when no token is
 * set and the service listens on loopback only (a developer's machine).
 */
export interface WriteAccess {
  /** Whether a request with this Authorization header may run mutations. */
  allows(authorization: string | undefined): boolean;
  /** Whether a request without the token is refused its mutations. */
  readonly tokenRequired: boolean;
  /** Said once at start-up when writes are open to every caller. */
  readonly warning: string | undefined;
}

export function writeAccess(config: Config): WriteAccess {
  const token = config.adminToken;
  if (token === undefined) {
    return {
      allows: () => true,
      tokenRequired: false,
      warning: `ADMIN_TOKEN is not set: every caller on ${config.http.host} may add, delete and train; set it before exposing the service`,
    };
  }
  const expected = digest(token);
  return {
    allows(authorization) {
      const match = /^Bearer (.+)$/i.exec(authorization?.trim() ?? '');
      // Digests of equal length: the comparison leaks neither content nor length.
      return match !== null && timingSafeEqual(digest(match[1]!.trim()), expected);
    },
    tokenRequired: true,
    warning: undefined,
  };
}

/** Why the service must not start with these settings, or undefined when it may. */
export function exposureRefusal(config: Config): string | undefined {
  if (config.adminToken !== undefined || isLoopback(config.http.host)) return undefined;
  return `refusing to listen on ${config.http.host} without ADMIN_TOKEN: anyone could change the catalog; set ADMIN_TOKEN or HOST=127.0.0.1`;
}

export function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1' || host === '::ffff:127.0.0.1';
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}
