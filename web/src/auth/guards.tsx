import type { ReactNode } from 'react';
import { Navigate, useLocation } from 'react-router';
import { PageLoader } from '../components/states';
import { ChangePasswordRequired } from '../pages/auth/ChangePasswordRequired';
import { useSession } from './session';

/**
 * Pages behind sign-in: a signed-out visitor goes to /login and comes back afterwards; a user
 * whose password an administrator reset chooses a new one first, then sees the page.
 */
export function RequireSession({ children }: { children: ReactNode }) {
  const { status, user } = useSession();
  const location = useLocation();
  if (status === 'loading') return <PageLoader />;
  if (status === 'signed-out') return <Navigate to="/login" replace state={{ from: location.pathname + location.search }} />;
  if (user?.passwordChangeRequired) return <ChangePasswordRequired />;
  return children;
}

export function SignedOutOnly({ children }: { children: ReactNode }) {
  const { status } = useSession();
  const location = useLocation();
  if (status === 'loading') return <PageLoader />;
  if (status === 'signed-in') return <Navigate to={(location.state as { from?: string } | null)?.from ?? '/'} replace />;
  return children;
}
