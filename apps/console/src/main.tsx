import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { App as AntApp, ConfigProvider } from 'antd';
import enUS from 'antd/locale/en_US';
import zhCNLocale from 'antd/locale/zh_CN';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createBrowserRouter, Navigate, RouterProvider } from 'react-router';
import { ApiProvider } from './api/client.tsx';
import { AppLayout } from './components/app-layout.tsx';
import { I18nProvider, useI18n } from './i18n/i18n.tsx';
import { ApiKeysPage } from './pages/access/api-keys-page.tsx';
import { RolesPage } from './pages/access/roles-page.tsx';
import { UsersPage } from './pages/access/users-page.tsx';
import { AudienceBuilderPage } from './pages/audiences/audience-builder-page.tsx';
import { AudienceDetailPage } from './pages/audiences/audience-detail-page.tsx';
import { AudiencesPage } from './pages/audiences/audiences-page.tsx';
import { AuditPage } from './pages/audit/audit-page.tsx';
import { AttributesPage } from './pages/customers/attributes-page.tsx';
import { CustomerPage } from './pages/customers/customer-page.tsx';
import { CustomersPage } from './pages/customers/customers-page.tsx';
import { ImportPage } from './pages/customers/import-page.tsx';
import { CatalogPage } from './pages/events/catalog-page.tsx';
import { DebuggerPage } from './pages/events/debugger-page.tsx';
import { SourcesPage } from './pages/events/sources-page.tsx';
import { OrgPage } from './pages/org/org-page.tsx';
import { SetupPage } from './pages/setup-page.tsx';
import { SignInPage } from './pages/sign-in-page.tsx';
import { StratificationPage } from './pages/stratification/stratification-page.tsx';
import { AutoTagsPage } from './pages/tags/auto-tags-page.tsx';
import { TagsPage } from './pages/tags/tags-page.tsx';
import { CustomerGroupsPage } from './pages/wecom/customer-groups-page.tsx';
import { LiveCodesPage } from './pages/wecom/live-codes/live-codes-page.tsx';
import { LossAlertsPage } from './pages/wecom/loss-alerts-page.tsx';
import { SuccessionPage } from './pages/wecom/succession/succession-page.tsx';
import { WeComSettingsPage } from './pages/wecom/wecom-settings-page.tsx';

const router = createBrowserRouter([
  { path: '/setup', element: <SetupPage /> },
  { path: '/sign-in', element: <SignInPage /> },
  {
    path: '/',
    element: <AppLayout />,
    children: [
      { index: true, element: <Navigate to="/customers" replace /> },
      { path: 'customers', element: <CustomersPage /> },
      { path: 'customers/import', element: <ImportPage /> },
      { path: 'customers/attributes', element: <AttributesPage /> },
      { path: 'customers/:id', element: <CustomerPage /> },
      { path: 'tags', element: <TagsPage /> },
      { path: 'tags/auto', element: <AutoTagsPage /> },
      { path: 'audiences', element: <AudiencesPage /> },
      { path: 'audiences/new', element: <AudienceBuilderPage /> },
      { path: 'audiences/:id', element: <AudienceDetailPage /> },
      { path: 'audiences/:id/edit', element: <AudienceBuilderPage /> },
      { path: 'stratification', element: <StratificationPage /> },
      { path: 'data/sources', element: <SourcesPage /> },
      { path: 'data/catalog', element: <CatalogPage /> },
      { path: 'data/debugger', element: <DebuggerPage /> },
      { path: 'wecom/settings', element: <WeComSettingsPage /> },
      { path: 'wecom/loss-alerts', element: <LossAlertsPage /> },
      { path: 'wecom/groups', element: <CustomerGroupsPage /> },
      { path: 'wecom/live-codes', element: <LiveCodesPage /> },
      { path: 'wecom/succession', element: <SuccessionPage /> },
      { path: 'org', element: <OrgPage /> },
      { path: 'access/users', element: <UsersPage /> },
      { path: 'access/roles', element: <RolesPage /> },
      { path: 'access/api-keys', element: <ApiKeysPage /> },
      { path: 'audit', element: <AuditPage /> },
      { path: '*', element: <Navigate to="/org" replace /> },
    ],
  },
]);

const queryClient = new QueryClient({ defaultOptions: { queries: { refetchOnWindowFocus: false } } });

/** People who ask their system for less motion get no animations (and tests get steady pages). */
const reducedMotion = window.matchMedia?.('(prefers-reduced-motion: reduce)').matches ?? false;

function Themed() {
  const { language } = useI18n();
  return (
    <ConfigProvider
      locale={language === 'en' ? enUS : zhCNLocale}
      theme={{ token: { colorPrimary: '#0f7b6c', motion: !reducedMotion } }}
    >
      <AntApp>
        <RouterProvider router={router} />
      </AntApp>
    </ConfigProvider>
  );
}

const root = document.getElementById('root');
if (!root) throw new Error('no #root element');
createRoot(root).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <ApiProvider>
        <I18nProvider>
          <Themed />
        </I18nProvider>
      </ApiProvider>
    </QueryClientProvider>
  </StrictMode>,
);
