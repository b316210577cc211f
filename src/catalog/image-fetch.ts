import { lookup as dnsLookup } from 'node:dns/promises';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { DomainError, requestAborted } from '../errors.js';
import { forbiddenAddressClass, isMetadataHost } from './address-class.js';

export interface ResolvedAddress {
  address: string;
  family: number;
}

/** Every address a host name resolves to. */
export type Resolve = (hostname: string) => Promise<ResolvedAddress[]>;

export interface ImageFetchOptions {
  maxBytes: number;
  /** The whole fetch, redirects included. */
  timeoutMs: number;
  /** Host names and IP addresses a link may reach whatever their address class (IMAGE_URL_ALLOWED_HOSTS). */
  allowedHosts: readonly string[];
  /** DNS by default; unit tests give their own names, there being no network. */
  resolve?: Resolve;
}

export interface FetchCall {
  /** Fires when the client has gone, or the request's other images have failed. */
  signal?: AbortSignal | undefined;
  /** Counts the body's bytes as they arrive; throws to stop the fetch. */
  count(bytes: number): void;
}

export const MAX_REDIRECTS = 3;
export const MAX_IMAGE_URL_LENGTH = 2048;
/** A server silent this long will not deliver in time anyway; its connection goes back early. */
export const MAX_FETCH_IDLE_MS = 3_000;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

const resolveByDns: Resolve = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

/**
 * The bytes of an image given by link: http(s) only, each hop (at most
 * MAX_REDIRECTS redirects, followed by hand) checked before it connects,
 * an image content type, at most `maxBytes`, within `timeoutMs`.
 * IMAGE_URL_FORBIDDEN when a hop would reach a forbidden address (see
 * address-class.ts), IMAGE_FETCH_FAILED with `status` or `reason` otherwise,
 * REQUEST_ABORTED when the call's signal fires.
 */
export async function fetchImage(link: string, options: ImageFetchOptions, call: FetchCall): Promise<Uint8Array> {
  const deadline = AbortSignal.timeout(options.timeoutMs);
  const signal = call.signal ? AbortSignal.any([call.signal, deadline]) : deadline;
  // A stall cuts the connection, which the body being read reports as a reset.
  const stall: { error?: DomainError } = {};
  const failure = (error: unknown) => {
    if (call.signal?.aborted) return requestAborted();
    if (stall.error) return stall.error;
    if (deadline.aborted) return fetchFailed('timeout', `no image within ${options.timeoutMs} ms`);
    return error instanceof DomainError ? error : fetchFailed(networkReason(error));
  };
  let url = parseLink(link);
  try {
    for (let redirects = 0; ; redirects++) {
      const response = await get(url, options, signal, stall);
      const location = response.headers.location;
      if (!REDIRECTS.has(response.statusCode ?? 0) || location === undefined) return await readBody(response, options.maxBytes, call);
      response.destroy();
      if (redirects === MAX_REDIRECTS) throw fetchFailed('too many redirects', `more than ${MAX_REDIRECTS} redirects`);
      url = checkedUrl(new URL(location, url));
    }
  } catch (error) {
    throw failure(error);
  }
}

function parseLink(link: string): URL {
  if (link.length > MAX_IMAGE_URL_LENGTH) throw new DomainError('BAD_USER_INPUT', `imageUrl must be at most ${MAX_IMAGE_URL_LENGTH} characters`, { field: 'imageUrl' });
  if (!URL.canParse(link)) throw new DomainError('BAD_USER_INPUT', 'imageUrl must be an absolute http or https URL', { field: 'imageUrl' });
  return checkedUrl(new URL(link));
}

function checkedUrl(url: URL): URL {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new DomainError('IMAGE_URL_FORBIDDEN', `an image link must be http or https, not ${url.protocol.slice(0, 20)}`, { reason: 'scheme' });
  }
  return url;
}

/** One GET, to an address that was checked before the connection was made: there is no second resolution to rebind. */
function get(url: URL, options: ImageFetchOptions, signal: AbortSignal, stall: { error?: DomainError }): Promise<IncomingMessage> {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const allowed = new Set(options.allowedHosts.map(normalizeHost));
  const hostAllowed = allowed.has(normalizeHost(host));
  if (!hostAllowed) {
    if (isMetadataHost(host)) throw forbidden(host, 'cloud metadata');
    // Node connects to a literal address without asking `lookup`.
    if (isIP(host)) assertReachable(host, host, allowed);
  }
  const resolve = options.resolve ?? resolveByDns;
  const lookup: LookupFunction = (hostname, lookupOptions, callback) => {
    resolve(hostname).then(
      (addresses) => {
        if (addresses.length === 0) throw fetchFailed('host not found');
        if (!hostAllowed) for (const { address } of addresses) assertReachable(host, address, allowed);
        if (lookupOptions.all) callback(null, addresses);
        else callback(null, addresses[0]!.address, addresses[0]!.family);
      },
    ).catch((error: unknown) => callback(error as NodeJS.ErrnoException, ''));
  };
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolvePromise, reject) => {
    const request = send({
      protocol: url.protocol,
      hostname: host,
      port: url.port,
      path: `${url.pathname}${url.search}`,
      headers: { accept: 'image/*' },
      // A fresh connection each time: a pooled socket would outlive the fetch's budget.
      agent: false,
      lookup,
      signal,
      timeout: MAX_FETCH_IDLE_MS,
    });
    request.once('response', resolvePromise);
    request.once('error', reject);
    request.once('timeout', () => {
      stall.error = fetchFailed('stalled', `the server sent nothing for ${MAX_FETCH_IDLE_MS} ms`);
      request.destroy(stall.error);
    });
    request.end();
  });
}

async function readBody(response: IncomingMessage, maxBytes: number, call: FetchCall): Promise<Uint8Array> {
  const status = response.statusCode ?? 0;
  if (status < 200 || status > 299) {
    response.destroy();
    throw new DomainError('IMAGE_FETCH_FAILED', `the image link answered HTTP ${status}`, { reason: 'status', status });
  }
  const type = (response.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (!type.startsWith('image/')) {
    response.destroy();
    throw fetchFailed('not an image', `the image link answered ${type ? `Content-Type ${type.slice(0, 100)}` : 'without a Content-Type'}, not image/*`);
  }
  const declared = Number(response.headers['content-length']);
  if (declared > maxBytes) {
    response.destroy();
    throw tooLarge(maxBytes);
  }
  const chunks: Buffer[] = [];
  let received = 0;
  // Leaving the loop early, by a throw, destroys the response.
  for await (const chunk of response as AsyncIterable<Buffer>) {
    received += chunk.length;
    if (received > maxBytes) throw tooLarge(maxBytes);
    call.count(chunk.length);
    chunks.push(chunk);
  }
  const bytes = Buffer.concat(chunks);
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length);
}

function assertReachable(host: string, address: string, allowed: ReadonlySet<string>): void {
  const addressClass = forbiddenAddressClass(address);
  if (addressClass !== undefined && !allowed.has(normalizeHost(address))) throw forbidden(host, addressClass);
}

function normalizeHost(host: string): string {
  return host.trim().toLowerCase().replace(/^\[|\]$/g, '').replace(/\.$/, '');
}

function forbidden(host: string, addressClass: string): DomainError {
  return new DomainError('IMAGE_URL_FORBIDDEN', `the image link's host ${host.slice(0, 255)} is a ${addressClass} address, which links may not reach`, {
    reason: 'address',
    addressClass,
  });
}

function fetchFailed(reason: string, message = reason): DomainError {
  return new DomainError('IMAGE_FETCH_FAILED', `fetching the image link failed: ${message}`, { reason });
}

function tooLarge(maxBytes: number): DomainError {
  return new DomainError('IMAGE_FETCH_FAILED', `fetching the image link failed: the image is over ${maxBytes} bytes`, { reason: 'too large', maxBytes });
}

/** What went wrong on the wire, in a word clients can read; never the error's message, which names addresses. */
function networkReason(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'host not found';
    case 'ECONNRESET':
      return 'connection reset';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'unreachable';
    default:
      return typeof code === 'string' ? `network error ${code.slice(0, 64)}` : 'network error';
  }
}
