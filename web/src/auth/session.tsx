import { useQueryClient } from '@tanstack/react-query';
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { ApiError, api, credentials, unwrap, type Schemas } from '../api/client';

type User = Schemas['User'];
type Session = Schemas['Session'];

/** The workspace each account last chose in this browser: another account signing in must not inherit it. */
const workspaceKey = (userId: string) => `siteprint.workspace.${userId}`;
/** Set while signed in: the refresh cookie is httpOnly, and asking without one only yields a 401. */
const SIGNED_IN_KEY = 'siteprint.signedIn';
/** Where the server sends a browser after Google or GitHub sign-in set the refresh cookie. */
export const OAUTH_LANDING_PATH = '/auth/complete';

export interface SessionState {
  status: 'loading' | 'signed-out' | 'signed-in';
  user: User | null;
  workspaceId: string | null;
  login(email: string, password: string): Promise<void>;
  /** `setupToken`: needed while the instance has no administrator (the first account becomes it). */
  register(name: string, email: string, password: string, setupToken?: string): Promise<void>;
  logout(): Promise<void>;
  switchWorkspace(id: string): void;
  setUser(user: User): void;
}

const SessionContext = createContext<SessionState | null>(null);

export function useSession(): SessionState {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside SessionProvider');
  return session;
}

/** Exchanges the httpOnly refresh cookie for a session; null when there is none or it was revoked. */
async function refreshFromCookie(): Promise<Session | null> {
  const response = await fetch('/api/v1/auth/refresh', { method: 'POST', credentials: 'same-origin' });
  if (!response.ok) return null;
  return (await response.json()) as Session;
}

/**
 * The signed-in session. The access token stays in memory and is renewed before it expires
 * (and once more if a request still meets a 401); a reload signs back in from the cookie.
 */
export function SessionProvider({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  const [status, setStatus] = useState<SessionState['status']>('loading');
  const [user, setUser] = useState<User | null>(null);
  const [workspaceId, setWorkspaceId] = useState<string | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const inFlight = useRef<Promise<string | null> | null>(null);

  const signOutLocally = useCallback(() => {
    localStorage.removeItem(SIGNED_IN_KEY);
    clearTimeout(timer.current);
    credentials.accessToken = null;
    credentials.workspaceId = null;
    setWorkspaceId(null);
    setUser(null);
    setStatus('signed-out');
    queryClient.clear();
  }, [queryClient]);

  const adopt = useCallback((session: Session) => {
    localStorage.setItem(SIGNED_IN_KEY, '1');
    credentials.accessToken = session.accessToken;
    credentials.workspaceId = localStorage.getItem(workspaceKey(session.user.id));
    setWorkspaceId(credentials.workspaceId);
    setUser(session.user);
    setStatus('signed-in');
    clearTimeout(timer.current);
    // Renew at 80 % of the token's life so requests never carry an expired one.
    timer.current = setTimeout(() => void credentials.refresh?.(), session.expiresIn * 800);
  }, []);

  const refresh = useCallback(async (): Promise<string | null> => {
    inFlight.current ??= refreshFromCookie()
      .then((session) => {
        if (!session) {
          signOutLocally();
          return null;
        }
        adopt(session);
        return session.accessToken;
      })
      .finally(() => {
        inFlight.current = null;
      });
    return inFlight.current;
  }, [adopt, signOutLocally]);

  useEffect(() => {
    credentials.refresh = refresh;
    if (localStorage.getItem(SIGNED_IN_KEY) || window.location.pathname === OAUTH_LANDING_PATH) void refresh();
    else setStatus('signed-out');
    return () => clearTimeout(timer.current);
  }, [refresh]);

  useEffect(() => {
    credentials.workspaceId = workspaceId;
  }, [workspaceId]);

  const value = useMemo<SessionState>(
    () => ({
      status,
      user,
      workspaceId,
      async login(email, password) {
        adopt(await unwrap(api.POST('/api/v1/auth/login', { body: { email, password } })));
      },
      async register(name, email, password, setupToken) {
        await unwrap(api.POST('/api/v1/auth/register', { body: { name, email, password, ...(setupToken ? { setupToken } : {}) } }));
        adopt(await unwrap(api.POST('/api/v1/auth/login', { body: { email, password } })));
      },
      async logout() {
        try {
          // The refresh cookie names the session to end.
          await unwrap(api.POST('/api/v1/auth/logout', { body: null }));
        } catch (error) {
          // An already-expired session is as good as logged out.
          if (!(error instanceof ApiError) || error.status !== 401) throw error;
        } finally {
          signOutLocally();
        }
      },
      switchWorkspace(id) {
        if (user) localStorage.setItem(workspaceKey(user.id), id);
        credentials.workspaceId = id;
        setWorkspaceId(id);
        // Everything on screen belongs to the previous workspace.
        void queryClient.resetQueries();
      },
      setUser,
    }),
    [status, user, workspaceId, adopt, signOutLocally, queryClient],
  );

  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}
