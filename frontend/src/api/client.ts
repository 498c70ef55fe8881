// The one way pages talk to the server: same origin, the session cookie sent by the browser, the
// CSRF token on every write, errors as `ApiError` with the server's `detail`. Types come from
// schema.d.ts, generated from the server's /openapi.json (`npm run api:types`), so a page cannot
// drift from the API without failing to compile.
import type { components } from './schema';

export type Schemas = components['schemas'];
export type Scan = Schemas['ScanRecord'];
export type Finding = Schemas['FindingWithState'];
export type Summary = Schemas['ScanSummary'];
export type Caller = Schemas['Caller'];
export type Scope = Schemas['ApiKeyScope'];
export type TriageStatus = Schemas['TriageStatus'];

export const API = '/api/v1';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly detail: unknown,
  ) {
    super(describe(status, detail));
  }
}

/** The server's `detail` as one sentence (validation errors are a list of `{loc, msg}`). */
function describe(status: number, detail: unknown): string {
  if (typeof detail === 'string') return detail;
  if (Array.isArray(detail)) {
    return detail
      .map((d) => (d && typeof d === 'object' && 'msg' in d ? String((d as { msg: unknown }).msg) : JSON.stringify(d)))
      .join('; ');
  }
  return `HTTP ${status}`;
}

let csrfToken: string | null = null;
/** Set by the session: writes made with the session cookie must carry it. */
export function setCsrfToken(token: string | null) {
  csrfToken = token;
}

/** Listeners told when the server says the caller is no longer signed in. */
const signedOut = new Set<() => void>();
export function onSignedOut(listener: () => void): () => void {
  signedOut.add(listener);
  return () => signedOut.delete(listener);
}

export type Query = Record<string, string | number | boolean | undefined | null | string[]>;

export interface Options {
  query?: Query;
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

export function url(path: string, query?: Query): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query ?? {})) {
    if (value === undefined || value === null || value === '') continue;
    for (const one of Array.isArray(value) ? value : [value]) params.append(name, String(one));
  }
  const text = params.toString();
  return `${path.startsWith('/') ? path : `${API}/${path}`}${text ? `?${text}` : ''}`;
}

export interface Reply<T> {
  data: T;
  headers: Headers;
}

export async function call<T>(method: string, path: string, options: Options = {}): Promise<Reply<T>> {
  const headers: Record<string, string> = { Accept: 'application/json', ...options.headers };
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && method !== 'HEAD' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  const response = await fetch(url(path, options.query), {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    credentials: 'same-origin',
    signal: options.signal,
  });
  const text = await response.text();
  let data: unknown = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = text;
    }
  }
  if (!response.ok) {
    const detail = data && typeof data === 'object' && 'detail' in data ? (data as { detail: unknown }).detail : data;
    if (response.status === 401 && !headers['X-API-Key']) signedOut.forEach((listener) => listener());
    throw new ApiError(response.status, detail);
  }
  return { data: data as T, headers: response.headers };
}

export const get = <T>(path: string, query?: Query, signal?: AbortSignal) =>
  call<T>('GET', path, { query, signal }).then((r) => r.data);
export const post = <T>(path: string, body?: unknown, query?: Query) =>
  call<T>('POST', path, { body, query }).then((r) => r.data);
export const patch = <T>(path: string, body?: unknown) => call<T>('PATCH', path, { body }).then((r) => r.data);
export const del = (path: string) => call<null>('DELETE', path).then(() => undefined);

/** A list and the server's `X-Total-Count` (the size of the whole list, not of this page). */
export async function page<T>(path: string, query?: Query, signal?: AbortSignal): Promise<{ items: T[]; total: number }> {
  const { data, headers } = await call<T[]>('GET', path, { query, signal });
  const total = Number(headers.get('X-Total-Count'));
  return { items: data, total: Number.isFinite(total) && headers.has('X-Total-Count') ? total : data.length };
}

export function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
