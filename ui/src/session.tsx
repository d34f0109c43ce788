// The member's session: who is logged in, kept in React context and refreshed from /api/session.
import { createContext, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import type { ReactNode } from 'react';
import { api, setCsrfToken } from './api.ts';
import type { Member } from './types.ts';

export interface SessionState {
  /** The logged-in member, or null for a visitor. */
  member: Member | null;
  /** False until the first /api/session answer arrived. */
  ready: boolean;
  /** Why the session could not be loaded, if it could not. */
  error: unknown;
  /** Asks the server again who is logged in (and for a fresh CSRF token). */
  refresh: () => Promise<Member | null>;
  /** Uses a login/registration answer directly. */
  signedIn: (member: Member, csrfToken: string | undefined) => void;
  /** Updates the member locally (e.g. after a rating, to count it). */
  patchMember: (changes: Partial<Member>) => void;
}

const SessionContext = createContext<SessionState | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [member, setMember] = useState<Member | null>(null);
  const [ready, setReady] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const refresh = useCallback(async () => {
    try {
      const info = await api.session();
      setCsrfToken(info.csrfToken);
      setMember(info.member);
      setError(null);
      return info.member;
    } catch (failure) {
      setError(failure);
      setMember(null);
      return null;
    } finally {
      setReady(true);
    }
  }, []);

  const signedIn = useCallback((next: Member, csrfToken: string | undefined) => {
    if (csrfToken) setCsrfToken(csrfToken);
    setMember(next);
    setReady(true);
  }, []);

  const patchMember = useCallback((changes: Partial<Member>) => {
    setMember((current) => (current ? { ...current, ...changes } : current));
  }, []);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  const value = useMemo(
    () => ({ member, ready, error, refresh, signedIn, patchMember }),
    [member, ready, error, refresh, signedIn, patchMember],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionState {
  const state = useContext(SessionContext);
  if (!state) throw new Error('useSession must be used inside <SessionProvider>');
  return state;
}

/** How many ratings a member needs before personal recommendations start. */
export const ONBOARDING_TARGET = 15;
