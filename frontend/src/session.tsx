// Who is using the dashboard. The API key never reaches JavaScript storage: the sign-in form
// sends it once in `X-API-Key` to POST /auth/session, the server answers with an HttpOnly,
// SameSite=Strict session cookie and a CSRF token, and the page keeps only the token, in memory.
// A reload asks GET /auth/session for it again. In dev mode (no credentials configured) the
// server lets every request through and there is nothing to sign in to.
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import { ApiError, call, type Caller, type Schemas, type Scope, setCsrfToken } from './api/client';

export type SessionInfo = Schemas['SessionInfo'];

/** Outside /api: it answers whether anyone is signed in, so a signed-out page gets no 401. */
const SESSION = '/auth/session';

export interface Session {
  caller: Caller;
  /** Dev mode: no credentials exist, so no sign-in and no sign-out. */
  dev: boolean;
  can: (scope: Scope) => boolean;
  signOut: () => Promise<void>;
}

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside the signed-in app');
  return session;
}

/** Admin holds every scope; read and write are independent. */
export function allows(caller: Caller, scope: Scope): boolean {
  return caller.scopes.includes('admin') || caller.scopes.includes(scope);
}

/** The current session, or null when the caller must sign in. */
export async function currentSession(): Promise<SessionInfo | null> {
  try {
    const { data } = await call<SessionInfo>('GET', SESSION);
    setCsrfToken(data.csrf_token ?? null);
    return data.caller ? data : null;
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return null;
    throw error;
  }
}

export async function signIn(apiKey: string): Promise<SessionInfo> {
  const { data } = await call<SessionInfo>('POST', SESSION, { headers: { 'X-API-Key': apiKey } });
  setCsrfToken(data.csrf_token ?? null);
  return data;
}

export async function signOut(): Promise<void> {
  try {
    await call<null>('DELETE', SESSION);
  } finally {
    setCsrfToken(null);
  }
}
