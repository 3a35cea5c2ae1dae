import { lazy, Suspense, type ComponentType, type LazyExoticComponent } from 'react';
import { createBrowserRouter, Navigate } from 'react-router';
import { AppLayout } from './layout/AppLayout';
import { PageLoader } from './components/states';
import { RequireSession, SignedOutOnly } from './auth/guards';
import { OAUTH_LANDING_PATH } from './auth/session';

/** Each page is its own chunk: the first load carries the shell and the page it opens. */
function page(component: LazyExoticComponent<ComponentType>) {
  const Page = component;
  return (
    <Suspense fallback={<PageLoader />}>
      <Page />
    </Suspense>
  );
}

const LoginPage = lazy(() => import('./pages/auth/LoginPage'));
const RegisterPage = lazy(() => import('./pages/auth/RegisterPage'));
const OverviewPage = lazy(() => import('./pages/overview/OverviewPage'));
const SitesPage = lazy(() => import('./pages/sites/SitesPage'));
const AddSitePage = lazy(() => import('./pages/sites/AddSitePage'));
const SitePage = lazy(() => import('./pages/sites/SitePage'));
const JobsPage = lazy(() => import('./pages/jobs/JobsPage'));
const JobPage = lazy(() => import('./pages/jobs/JobPage'));
const SettingsPage = lazy(() => import('./pages/settings/SettingsPage'));
const AnalyticsPage = lazy(() => import('./pages/analytics/AnalyticsPage'));
const ReportsPage = lazy(() => import('./pages/reports/ReportsPage'));
const AdminPage = lazy(() => import('./pages/admin/AdminPage'));
const NotFoundPage = lazy(() => import('./pages/NotFoundPage'));

export const router = createBrowserRouter([
  { path: '/login', element: <SignedOutOnly>{page(LoginPage)}</SignedOutOnly> },
  { path: '/register', element: <SignedOutOnly>{page(RegisterPage)}</SignedOutOnly> },
  { path: OAUTH_LANDING_PATH, element: <SignedOutOnly>{page(LoginPage)}</SignedOutOnly> },
  {
    path: '/',
    element: (
      <RequireSession>
        <AppLayout />
      </RequireSession>
    ),
    children: [
      { index: true, element: page(OverviewPage) },
      { path: 'sites', element: page(SitesPage) },
      { path: 'sites/new', element: page(AddSitePage) },
      { path: 'sites/:siteId', element: page(SitePage) },
      { path: 'sites/:siteId/:tab', element: page(SitePage) },
      { path: 'jobs', element: page(JobsPage) },
      { path: 'jobs/:jobId', element: page(JobPage) },
      { path: 'analytics', element: page(AnalyticsPage) },
      { path: 'reports', element: page(ReportsPage) },
      { path: 'settings', element: <Navigate to="/settings/profile" replace /> },
      { path: 'settings/:tab', element: page(SettingsPage) },
      { path: 'admin', element: <Navigate to="/admin/users" replace /> },
      { path: 'admin/:tab', element: page(AdminPage) },
      { path: '*', element: page(NotFoundPage) },
    ],
  },
]);
