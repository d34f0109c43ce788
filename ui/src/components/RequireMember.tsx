import type { ReactNode } from 'react';
import { Navigate, useLocation } from 'react-router-dom';
import { useSession } from '../session.tsx';
import { Loading } from './ErrorMessage.tsx';

/** Renders its children for a logged-in member; sends visitors to the login page. */
export function RequireMember({ children }: { children: ReactNode }) {
  const { member, ready } = useSession();
  const location = useLocation();
  if (!ready) return <Loading />;
  if (!member) return <Navigate to="/login" replace state={{ from: location.pathname }} />;
  return <>{children}</>;
}
